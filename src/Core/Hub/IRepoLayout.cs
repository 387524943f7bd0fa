namespace Probe.Core.Hub;

/// <summary>
/// How one kind of model repo is laid out, as the library that writes it lays it out (diffusers, transformers): the
/// marker file that makes a folder or repo one, which files of a listing loading needs, and the words for saying
/// what is wrong. <see cref="ModelResolver"/> does the rest (folders, the cache, downloads) the same way for every
/// layout; shard indexes of either library have one format (<see cref="PipelineFileSelector.ShardsOf"/>).
/// </summary>
public interface IRepoLayout
{
    /// <summary>What the layout is called in messages: "diffusers pipeline", "transformers model".</summary>
    string Name { get; }

    /// <summary>The short noun of messages: "pipeline", "model" ("… is not a complete pipeline").</summary>
    string Noun { get; }

    /// <summary>The root file whose presence makes a folder or repo one of these; it is fetched first and given to <see cref="Select"/>.</summary>
    string MarkerFile { get; }

    /// <summary>How to write a folder of this layout, for the message that a folder is not one.</summary>
    string SaveHint { get; }

    /// <summary>A file the variant's weights would be, for the message that a snapshot lacks them.</summary>
    string VariantExample(string variant);

    /// <summary>The message that a repo has no weights of <paramref name="variant"/> at all.</summary>
    string NoVariantWeights(string variant);

    /// <summary>
    /// Selects from <paramref name="files"/> (paths relative to the repo root, '/'-separated) what loading needs,
    /// given the marker file's bytes.
    /// </summary>
    /// <exception cref="ModelResolutionException">The marker file is malformed, or the request does not fit the layout.</exception>
    RepoSelection Select(ReadOnlySpan<byte> marker, IReadOnlyCollection<string> files, string? variant, IReadOnlyCollection<string>? components);
}
