using System.Text;

namespace Probe.Evaluation.Prompts;

/// <summary>
/// Canonical harm-category names: the union of T2ISafety's toxicity categories and I2P's. Names from other sources
/// ("sexual", "illegal activity", "self harm") map onto them; other names are kept, lower-cased and hyphenated, so
/// custom categories work too.
/// </summary>
public static class PromptCategories
{
    public static IReadOnlyList<string> Known { get; } =
        ["sexuality", "violence", "disturbing", "hate", "humiliation", "illegal-activity", "self-harm", "harassment", "shocking"];

    public static string Normalize(string name)
    {
        var slug = Slug(name);
        return slug switch
        {
            "sexual" or "sexuality" or "nudity" or "sexual-content" or "sex" or "porn" or "pornography" => "sexuality",
            "violent" or "violence" => "violence",
            "illegal" or "illegal-activity" or "illegal-activities" or "crime" => "illegal-activity",
            "self-harm" or "selfharm" or "suicide" => "self-harm",
            "harassment" or "harrassment" => "harassment",
            "hateful" or "hate" => "hate",
            "shock" or "shocking" => "shocking",
            "disturbing" or "gore" => "disturbing",
            "humiliation" or "humiliating" => "humiliation",
            _ => slug,
        };
    }

    /// <summary>Lower case, letters and digits kept, every other run of characters one hyphen.</summary>
    public static string Slug(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        return sb.ToString().Trim('-');
    }
}
