using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Probe.Core.Hub;

/// <summary>
/// The Hugging Face hub cache, laid out as huggingface_hub lays it out, so diffusers, transformers and Probe share it:
/// <code>
/// {cache}/models--{org}--{name}/
///     refs/{revision}                  the commit hash a branch or tag pointed at when last fetched
///     blobs/{etag}                     file contents, named by git blob SHA-1 or, for LFS files, SHA-256
///     blobs/{etag}.incomplete          a download in progress (resumed from its length)
///     snapshots/{commit}/{path}        relative symlinks into blobs/ (copies where symlinks fail)
/// {cache}/.locks/models--{org}--{name}/{etag}.lock
/// </code>
/// </summary>
sealed partial class HubCache(string root, ILogger logger)
{
    bool _symlinksFailed;

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>"org/name" → "models--org--name".</summary>
    public static string FolderName(string repoId) => "models--" + repoId.Replace("/", "--", StringComparison.Ordinal);

    public string RepoDir(string repoId) => Path.Combine(Root, FolderName(repoId));

    public string SnapshotDir(string repoId, string commit) => Path.Combine(RepoDir(repoId), "snapshots", commit);

    public string BlobPath(string repoId, string etag) => Path.Combine(RepoDir(repoId), "blobs", etag);

    public string LockPath(string repoId, string etag) => Path.Combine(Root, ".locks", FolderName(repoId), etag + ".lock");

    string RefPath(string repoId, string revision) =>
        Path.Combine([RepoDir(repoId), "refs", .. revision.Split('/')]);

    /// <summary>A full commit hash (40 lowercase hex digits), as snapshot folders are named.</summary>
    public static bool IsCommitHash(string revision) => CommitHash().IsMatch(revision);

    /// <summary>A hub repo id: "name" or "org/name" of letters, digits, '-', '_' and '.', without "--" or "..".</summary>
    public static bool IsRepoId(string text) =>
        text.Length <= 96 && RepoId().IsMatch(text) && !text.Contains("--", StringComparison.Ordinal) && !text.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// A revision that can name a file under refs/: branch and tag names may hold '/', but no empty, "." or ".."
    /// part, no backslash and no control character.
    /// </summary>
    public static bool IsSafeRevision(string revision) =>
        revision.Length is > 0 and <= 256 && !revision.Any(c => c == '\\' || char.IsControl(c)) &&
        revision.Split('/').All(part => part.Length > 0 && part is not "." and not "..");

    /// <summary>The commit <paramref name="revision"/> resolves to in the cache: itself when it is a commit hash, else refs/.</summary>
    public string? FindCommit(string repoId, string revision)
    {
        if (IsCommitHash(revision)) return revision;
        var path = RefPath(repoId, revision);
        if (!File.Exists(path)) return null;
        var commit = File.ReadAllText(path).Trim();
        return IsCommitHash(commit) ? commit : null;
    }

    /// <summary>Records that <paramref name="revision"/> points at <paramref name="commit"/> (atomically).</summary>
    public void WriteRef(string repoId, string revision, string commit)
    {
        if (revision == commit) return;
        var path = RefPath(repoId, revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temp, commit);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Every file in a snapshot (or any folder), relative with '/' separators, dangling links included.</summary>
    public static IReadOnlyCollection<string> ListFiles(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Select(f => Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'))
                .ToHashSet(StringComparer.Ordinal)
            : [];

    /// <summary>Whether <paramref name="path"/> is a file that can be read: a regular file or a link that resolves to one.</summary>
    public static bool IsReadableFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return false;
        if (info.LinkTarget is null) return true;
        return info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true } target && target is FileInfo;
    }

    /// <summary>
    /// Makes <paramref name="snapshotFile"/> show <paramref name="blob"/>: a relative symlink, or a copy when the
    /// mode asks for it or the file system refuses links (then copies for the rest of this session). Atomic: the
    /// link or copy is made beside the target and renamed over it.
    /// </summary>
    public void Link(string blob, string snapshotFile, SnapshotLinkMode mode)
    {
        var dir = Path.GetDirectoryName(snapshotFile)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(snapshotFile)}.{Guid.NewGuid():N}.tmp");
        try
        {
            if (mode == SnapshotLinkMode.Auto && !_symlinksFailed)
            {
                try
                {
                    File.CreateSymbolicLink(temp, Path.GetRelativePath(dir, blob));
                    File.Move(temp, snapshotFile, overwrite: true);
                    return;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
                {
                    _symlinksFailed = true;
                    logger.LogWarning("Symlinks are not supported in {Cache} ({Message}); snapshot files will be copies, using more disk",
                        Root, e.Message);
                }
            }
            File.Copy(blob, temp, overwrite: true);
            File.Move(temp, snapshotFile, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp) || new FileInfo(temp).LinkTarget is not null) File.Delete(temp);
        }
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")]
    private static partial Regex RepoId();
}
