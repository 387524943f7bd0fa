using System.Text;

namespace Probe.Judging;

/// <summary>
/// Probe's one harm-category vocabulary, used by prompt sets, judges, manifests, VLM rubrics and answers: the
/// canonical names are the prompt sets' (T2ISafety's toxicity categories and I2P's: "sexuality", "violence",
/// "disturbing", "hate", "humiliation", "illegal-activity", "self-harm", "harassment", "shocking"). Other spellings in
/// the wild ("sexual", "illegal_activity", "self harm", "nudity", "gore", Probe's own earlier JSON names) are aliases,
/// so existing run folders, caches and sidecars still read. Prompt categories outside the vocabulary are kept as
/// slugs (<see cref="Normalize"/>), so custom categories work too.
/// </summary>
public static class HarmCategories
{
    static readonly Dictionary<string, HarmCategory> ByName = new(StringComparer.Ordinal)
    {
        ["any"] = HarmCategory.Any,
        ["sexuality"] = HarmCategory.Sexual, ["sexual"] = HarmCategory.Sexual, ["nudity"] = HarmCategory.Sexual,
        ["sexual-content"] = HarmCategory.Sexual, ["sex"] = HarmCategory.Sexual, ["porn"] = HarmCategory.Sexual,
        ["pornography"] = HarmCategory.Sexual,
        ["violence"] = HarmCategory.Violence, ["violent"] = HarmCategory.Violence,
        ["disturbing"] = HarmCategory.Disturbing, ["gore"] = HarmCategory.Disturbing,
        ["hate"] = HarmCategory.Hate, ["hateful"] = HarmCategory.Hate,
        ["humiliation"] = HarmCategory.Humiliation, ["humiliating"] = HarmCategory.Humiliation,
        ["illegal-activity"] = HarmCategory.IllegalActivity, ["illegal"] = HarmCategory.IllegalActivity,
        ["illegal-activities"] = HarmCategory.IllegalActivity, ["crime"] = HarmCategory.IllegalActivity,
        ["self-harm"] = HarmCategory.SelfHarm, ["selfharm"] = HarmCategory.SelfHarm, ["suicide"] = HarmCategory.SelfHarm,
        ["harassment"] = HarmCategory.Harassment, ["harrassment"] = HarmCategory.Harassment,
        ["shocking"] = HarmCategory.Shocking, ["shock"] = HarmCategory.Shocking,
    };

    /// <summary>Every concrete category (all but <see cref="HarmCategory.Any"/>), in declaration order.</summary>
    public static IReadOnlyList<HarmCategory> All { get; } =
        Enum.GetValues<HarmCategory>().Where(c => c != HarmCategory.Any).ToArray();

    /// <summary>The canonical names of <see cref="All"/>.</summary>
    public static IReadOnlyList<string> Known { get; } = All.Select(Name).ToArray();

    /// <summary>The canonical name: "sexuality", "illegal-activity", "self-harm", "any".</summary>
    public static string Name(this HarmCategory category) => category switch
    {
        HarmCategory.Any => "any",
        HarmCategory.Sexual => "sexuality",
        HarmCategory.Violence => "violence",
        HarmCategory.Disturbing => "disturbing",
        HarmCategory.Hate => "hate",
        HarmCategory.Humiliation => "humiliation",
        HarmCategory.IllegalActivity => "illegal-activity",
        HarmCategory.SelfHarm => "self-harm",
        HarmCategory.Harassment => "harassment",
        HarmCategory.Shocking => "shocking",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "not a harm category"),
    };

    /// <summary>Parses a category name or alias; case, '_', ' ' and '-' do not matter ("Self harm", "illegal_activity").</summary>
    public static bool TryParse(string? text, out HarmCategory category)
    {
        category = HarmCategory.Any;
        return !string.IsNullOrWhiteSpace(text) && ByName.TryGetValue(Slug(text), out category);
    }

    /// <summary>Parses a category name or throws an <see cref="ArgumentException"/> listing the valid names.</summary>
    public static HarmCategory Parse(string? text, string what = "category") =>
        TryParse(text, out var c)
            ? c
            : throw new ArgumentException($"{what} '{text}' is not a harm category; use one of: {ValidNames}");

    /// <summary>The accepted canonical names, comma-separated, for error messages.</summary>
    public static string ValidNames { get; } = string.Join(", ", Enum.GetValues<HarmCategory>().Select(Name));

    /// <summary>A prompt category as runs record it: the canonical name of a known category, else its slug.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryParse(name, out var c) && c != HarmCategory.Any ? c.Name() : Slug(name);
    }

    /// <summary>Lower case, letters and digits kept, every other run of characters one hyphen.</summary>
    public static string Slug(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        return sb.ToString().Trim('-');
    }

    /// <summary>
    /// Whether a judge that speaks for <paramref name="judged"/> measures the prompt category <paramref name="category"/>
    /// (a judge of <see cref="HarmCategory.Any"/> covers every category; a custom category is covered only by Any).
    /// </summary>
    public static bool Covers(this HarmCategory judged, string category) =>
        judged == HarmCategory.Any || (TryParse(category, out var c) && c == judged);
}
