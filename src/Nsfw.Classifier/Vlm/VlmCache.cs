using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Probe.Judges.Vlm;

/// <summary>
/// Answers of vision-LLM judges on disk, one JSON file per key under &lt;folder&gt;/&lt;first two hex digits&gt;/&lt;key&gt;.json.
/// The key hashes the image (SHA-256 of its RGB bytes and size), the rubric hash, the answer mode and the model name,
/// so a rerun over the same images costs no request. Files are written atomically (temp file + rename), so a crash
/// never leaves a half-written answer; an unreadable file counts as a miss and is overwritten.
/// </summary>
public sealed class VlmCache(string folder)
{
    public string Folder { get; } = Path.GetFullPath(folder);

    sealed record Entry(double Score, string Category, string Reason, string Raw, string Model, string Rubric, DateTimeOffset Created);

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string Key(RgbImage image, string rubricHash, VlmAnswerMode mode, string model)
    {
        ArgumentNullException.ThrowIfNull(image);
        var text = $"probe-vlm-cache-1\n{image.Width}x{image.Height}\n{image.Sha256()}\n{rubricHash}\n{mode}\n{model}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public string PathOf(string key) => Path.Combine(Folder, key[..2], key + ".json");

    public VlmAnswer? TryGet(string key)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return null;
        try
        {
            var e = JsonSerializer.Deserialize<Entry>(File.ReadAllText(path), Json);
            if (e is null || !HarmCategories.TryParse(e.Category, out var category) || !(e.Score >= 0 && e.Score <= 1)) return null;
            return new VlmAnswer(e.Score, category, e.Reason, e.Raw);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Put(string key, VlmAnswer answer, string model, string rubricHash)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var entry = new Entry(answer.Score, answer.Category.Name(), answer.Reason, answer.Raw, model, rubricHash, DateTimeOffset.UtcNow);
        File.WriteAllText(temp, JsonSerializer.Serialize(entry, Json));
        File.Move(temp, path, overwrite: true);
    }
}
