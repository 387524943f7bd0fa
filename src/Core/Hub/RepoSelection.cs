namespace Probe.Core.Hub;

/// <summary>The files of a model repo that Probe needs, chosen from a listing (a hub repo or a folder) by an <see cref="IRepoLayout"/>.</summary>
/// <param name="Files">
/// The marker file, the configs and tokenizer files loading reads, and the chosen weights (a safetensors file or a
/// shard index), relative with '/' separators, sorted. Shards are not included: see <paramref name="ShardIndexes"/>.
/// </param>
/// <param name="ShardIndexes">The chosen weights that are shard indexes; their shards are named inside them.</param>
/// <param name="Missing">What a complete model needs but the listing lacks, one readable item each.</param>
/// <param name="Unreadable">Weights present only in formats Probe does not read (pickles and others).</param>
/// <param name="VariantFound">Whether any chosen weights are of the requested variant.</param>
public sealed record RepoSelection(
    IReadOnlyList<string> Files,
    IReadOnlyList<string> ShardIndexes,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unreadable,
    bool VariantFound)
{
    /// <summary>Nothing missing and nothing unreadable.</summary>
    public bool IsComplete => Missing.Count == 0 && Unreadable.Count == 0;
}
