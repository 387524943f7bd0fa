using System.Text;

namespace Probe.Core.Torch;

/// <summary>Which GLIBCXX versions the system's libstdc++ provides (TorchSharp 0.107 wants 3.4.32).</summary>
public static class SystemLibStdCxx
{
    static readonly string[] Dirs =
    [
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/lib64", "/usr/lib64", "/lib", "/usr/lib",
    ];

    public static string? Path => Dirs.Select(d => System.IO.Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);

    /// <summary>The highest GLIBCXX_3.4.N the library defines, or null when unknown.</summary>
    public static string? NewestVersion()
    {
        var path = Path;
        if (path is null) return null;
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(path));
        int best = -1, at = 0;
        const string prefix = "GLIBCXX_3.4.";
        while ((at = text.IndexOf(prefix, at, StringComparison.Ordinal)) >= 0)
        {
            at += prefix.Length;
            int end = at;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end > at && end < text.Length && text[end] == '\0' && int.TryParse(text.AsSpan(at, end - at), out var n))
                best = Math.Max(best, n);
        }
        return best < 0 ? null : prefix + best;
    }

    public static string Describe()
    {
        var newest = NewestVersion();
        return newest is null
            ? "The system libstdc++ was not found."
            : $"The system libstdc++ ({Path}) provides up to {newest}; TorchSharp 0.107.0 asks for GLIBCXX_3.4.32.";
    }
}
