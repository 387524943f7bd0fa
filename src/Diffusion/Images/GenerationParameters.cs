using System.Globalization;
using System.Text;

namespace Probe.Diffusion.Images;

/// <summary>
/// How an image was made, stored in its PNG <c>parameters</c> text chunk in the AUTOMATIC1111 layout so existing
/// tools read it: the prompt, a "Negative prompt:" line, then "Key: value" pairs.
/// </summary>
public sealed record GenerationParameters
{
    public required string Prompt { get; init; }
    public string? NegativePrompt { get; init; }
    public required long Seed { get; init; }
    public required int Steps { get; init; }
    public required double GuidanceScale { get; init; }
    public required string Scheduler { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required string Model { get; init; }
    public double Eta { get; init; }
    public string? Lora { get; init; }
    public string? DType { get; init; }

    /// <summary>The A1111 sampler name of a Probe scheduler name.</summary>
    public static string SamplerName(string scheduler) => scheduler switch
    {
        "ddim" => "DDIM",
        "euler" => "Euler",
        "dpmpp2m" => "DPM++ 2M",
        _ => scheduler,
    };

    public string ToA1111()
    {
        var sb = new StringBuilder();
        sb.Append(OneLine(Prompt)).Append('\n');
        if (!string.IsNullOrEmpty(NegativePrompt)) sb.Append("Negative prompt: ").Append(OneLine(NegativePrompt)).Append('\n');
        var fields = new List<string>
        {
            $"Steps: {Steps}",
            $"Sampler: {SamplerName(Scheduler)}",
            string.Create(CultureInfo.InvariantCulture, $"CFG scale: {GuidanceScale}"),
            $"Seed: {Seed}",
            $"Size: {Width}x{Height}",
            $"Model: {Quote(Model)}",
        };
        if (Eta != 0) fields.Add(string.Create(CultureInfo.InvariantCulture, $"Eta: {Eta}"));
        if (Lora is not null) fields.Add($"Lora: {Quote(Lora)}");
        if (DType is not null) fields.Add($"Dtype: {DType}");
        sb.Append(string.Join(", ", fields));
        return sb.ToString();
    }

    // A1111 keeps the prompt on one line and quotes values containing separators.
    static string OneLine(string text) => text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    static string Quote(string value) =>
        value.IndexOfAny([',', ':', '"']) >= 0 ? "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>The PNG text chunks of an image made with these parameters: A1111's <c>parameters</c>, then <paramref name="extra"/>.</summary>
    public IReadOnlyDictionary<string, string> ToPngText(IReadOnlyDictionary<string, string>? extra = null)
    {
        var text = new Dictionary<string, string>(StringComparer.Ordinal) { ["parameters"] = ToA1111() };
        if (extra is not null)
            foreach (var (k, v) in extra) text[k] = v;
        return text;
    }
}
