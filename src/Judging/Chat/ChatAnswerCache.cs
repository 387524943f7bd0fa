using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Probe.Judging.Chat;

/// <summary>
/// Judges' answers on disk, one JSON file per key under &lt;folder&gt;/&lt;first two hex digits&gt;/&lt;key&gt;.json, so a
/// rerun over the same items costs no request. The key hashes what determines the answer (the item, the rubric, the
/// model); files are written atomically (temp file + rename), so a crash never leaves a half-written answer, and an
/// unreadable file counts as a miss and is overwritten.
/// </summary>
public sealed class ChatAnswerCache(string folder)
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>SHA-256 (hex) of the parts joined by newlines.</summary>
    public static string Key(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", parts))));

    public string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length < 3 || !key.All(char.IsAsciiHexDigitLower)) throw new ArgumentException($"cache key '{key}' must be lower-case hex", nameof(key));
        return Path.Combine(Folder, key[..2], key + ".json");
    }

    /// <summary>The entry stored under <paramref name="key"/>, or null when absent or unreadable (callers check its values).</summary>
    public T? TryGet<T>(string key) where T : class
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return null;
        try
        {
            var entry = JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json);
            return entry;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    public void Put<T>(string key, T entry)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(entry, Json));
        File.Move(temp, path, overwrite: true);
    }
}
