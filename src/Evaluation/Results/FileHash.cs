using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Probe.Evaluation.Results;

/// <summary>A file recorded in a manifest: path, size and SHA-256.</summary>
public sealed record FileHash(string Path, long Bytes, string Sha256)
{
    static readonly ConcurrentDictionary<(string, long, DateTime), string> Cache = new();

    /// <summary>Hashes <paramref name="path"/> (following symlinks, as the HF cache uses them); cached per process by path, size and time.</summary>
    public static FileHash Of(string path, string? recordedPath = null)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
        if (!info.Exists) throw new FileNotFoundException($"{path}: file not found", path);
        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        var hash = Cache.GetOrAdd(key, _ =>
        {
            using var stream = info.OpenRead();
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });
        return new FileHash(recordedPath ?? path, info.Length, hash);
    }
}
