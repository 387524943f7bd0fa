namespace Probe.Core.Hub;

/// <summary>
/// A model ready to load, laid out as its request asked (a diffusers pipeline, a transformers model): the folder
/// that holds it and the files in it that loading uses.
/// </summary>
/// <param name="Path">The model folder: the user's folder, or the cache snapshot <c>snapshots/&lt;commit&gt;</c>.</param>
/// <param name="Source">Where the files came from.</param>
/// <param name="RepoId">The hub repo (<c>org/name</c>); null for a local folder.</param>
/// <param name="Revision">The revision asked for (branch, tag or commit); null for a local folder.</param>
/// <param name="Commit">The commit the snapshot belongs to; null for a local folder.</param>
/// <param name="Variant">The weights variant asked for (<c>fp16</c>), or null.</param>
/// <param name="Files">The files loading uses, relative to <paramref name="Path"/> with '/' separators, sorted.</param>
public sealed record ResolvedModel(
    string Path,
    ModelSource Source,
    string? RepoId,
    string? Revision,
    string? Commit,
    string? Variant,
    IReadOnlyList<string> Files)
{
    /// <summary>The full path of one of <see cref="Files"/>.</summary>
    public string FullPath(string file) => System.IO.Path.Combine(Path, file.Replace('/', System.IO.Path.DirectorySeparatorChar));

    /// <summary>One line for logs and run manifests: "org/name@commit (hub cache)" or the folder.</summary>
    public override string ToString() => RepoId is null
        ? $"{Path} (local folder)"
        : $"{RepoId}@{Commit} ({(Source == ModelSource.HubCache ? "hub cache" : "downloaded")}, {Path})";
}
