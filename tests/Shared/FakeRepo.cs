using System.Security.Cryptography;
using System.Text;

namespace Probe.Tests.Hub;

/// <summary>A repo the fake hub serves: one commit holding <see cref="Files"/>, reachable by its hash or any of <see cref="Refs"/>.</summary>
public sealed record FakeRepo(string Id, string Commit, IReadOnlyDictionary<string, byte[]> Files, IReadOnlySet<string> Refs)
{
    public bool Knows(string revision) => revision == Commit || Refs.Contains(revision);

    /// <summary>Files the hub stores in LFS (so their ETag is the SHA-256 and their bytes come from the CDN).</summary>
    public static bool IsLfs(string path) => path.EndsWith(".safetensors", StringComparison.Ordinal) || path.EndsWith(".bin", StringComparison.Ordinal);

    /// <summary>Git's object id of a blob: SHA-1 over "blob {length}\0" and the bytes, as the hub's ETag of a regular file.</summary>
    public static string GitBlobSha1(byte[] bytes) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));

    /// <summary>The blob name the cache must use for <paramref name="path"/>.</summary>
    public string EtagOf(string path) => IsLfs(path) ? Convert.ToHexStringLower(SHA256.HashData(Files[path])) : GitBlobSha1(Files[path]);
}
