namespace Probe.Core.Hub;

/// <summary>The files of a diffusers pipeline that Probe needs, chosen from a listing (a hub repo or a folder).</summary>
/// <param name="Files">
/// model_index.json, each component's config, tokenizer and scheduler files, and its chosen weights (a safetensors
/// file or a shard index), relative with '/' separators, sorted. Shards are not included: see <paramref name="ShardIndexes"/>.
/// </param>
/// <param name="ShardIndexes">The chosen weights that are shard indexes; their shards are named inside them.</param>
/// <param name="Missing">What a complete pipeline needs but the listing lacks, one readable item each.</param>
/// <param name="Unreadable">Components whose only weights are in formats Probe does not read (pickles and others).</param>
/// <param name="VariantFound">Whether any component has weights of the requested variant.</param>
public sealed record PipelineSelection(
    IReadOnlyList<string> Files,
    IReadOnlyList<string> ShardIndexes,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unreadable,
    bool VariantFound)
{
    /// <summary>Nothing missing and nothing unreadable.</summary>
    public bool IsComplete => Missing.Count == 0 && Unreadable.Count == 0;
}
