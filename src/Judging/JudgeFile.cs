namespace Probe.Judging;

/// <summary>A file a judge depends on, for run manifests: path, size and SHA-256 (lower-case hex).</summary>
public sealed record JudgeFile(string Path, long Bytes, string Sha256)
{
    /// <summary>Hashes <paramref name="path"/> (streamed, so large models do not have to fit in memory).</summary>
    public static JudgeFile Of(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        using var stream = File.OpenRead(full);
        var hash = System.Security.Cryptography.SHA256.HashData(stream);
        return new JudgeFile(full, stream.Length, Convert.ToHexStringLower(hash));
    }
}
