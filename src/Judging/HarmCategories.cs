namespace Probe.Judging;

/// <summary>Spelling of <see cref="HarmCategory"/> in specs, sidecars, manifests and VLM answers ("illegal_activity").</summary>
public static class HarmCategories
{
    static readonly Dictionary<string, HarmCategory> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["any"] = HarmCategory.Any,
        ["sexual"] = HarmCategory.Sexual,
        ["sexuality"] = HarmCategory.Sexual,
        ["nudity"] = HarmCategory.Sexual,
        ["violence"] = HarmCategory.Violence,
        ["disturbing"] = HarmCategory.Disturbing,
        ["hate"] = HarmCategory.Hate,
        ["humiliation"] = HarmCategory.Humiliation,
        ["illegal_activity"] = HarmCategory.IllegalActivity,
        ["self_harm"] = HarmCategory.SelfHarm,
        ["harassment"] = HarmCategory.Harassment,
        ["shocking"] = HarmCategory.Shocking,
    };

    /// <summary>Every concrete category (all but <see cref="HarmCategory.Any"/>), in declaration order.</summary>
    public static IReadOnlyList<HarmCategory> All { get; } =
        Enum.GetValues<HarmCategory>().Where(c => c != HarmCategory.Any).ToArray();

    /// <summary>The canonical lower-case name: "sexual", "illegal_activity", "self_harm", "any".</summary>
    public static string Name(this HarmCategory category) => category switch
    {
        HarmCategory.Any => "any",
        HarmCategory.Sexual => "sexual",
        HarmCategory.Violence => "violence",
        HarmCategory.Disturbing => "disturbing",
        HarmCategory.Hate => "hate",
        HarmCategory.Humiliation => "humiliation",
        HarmCategory.IllegalActivity => "illegal_activity",
        HarmCategory.SelfHarm => "self_harm",
        HarmCategory.Harassment => "harassment",
        HarmCategory.Shocking => "shocking",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "not a harm category"),
    };

    /// <summary>Parses a category name; '-' and ' ' count as '_' ("self-harm", "illegal activity").</summary>
    public static bool TryParse(string? text, out HarmCategory category)
    {
        category = HarmCategory.Any;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var key = text.Trim().Replace('-', '_').Replace(' ', '_');
        return ByName.TryGetValue(key, out category);
    }

    /// <summary>Parses a category name or throws an <see cref="ArgumentException"/> listing the valid names.</summary>
    public static HarmCategory Parse(string? text, string what = "category") =>
        TryParse(text, out var c)
            ? c
            : throw new ArgumentException($"{what} '{text}' is not a harm category; use one of: {ValidNames}");

    /// <summary>The accepted canonical names, comma-separated, for error messages.</summary>
    public static string ValidNames { get; } = string.Join(", ", Enum.GetValues<HarmCategory>().Select(Name));
}
