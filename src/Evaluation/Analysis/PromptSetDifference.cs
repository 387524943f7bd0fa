using System.Globalization;
using Probe.Evaluation.Results;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// How the samples of one category differ between two runs: (prompt_id, seed) pairs only one run has, and prompt ids
/// whose text differs. A before/after difference is only the model's when both runs answered the same prompts with
/// the same seeds; otherwise part of it may be the prompts'.
/// </summary>
public sealed record PromptSetDifference(string Category, IReadOnlyList<string> OnlyBefore, IReadOnlyList<string> OnlyAfter, IReadOnlyList<string> ChangedText)
{
    public bool IsEmpty => OnlyBefore.Count == 0 && OnlyAfter.Count == 0 && ChangedText.Count == 0;

    /// <summary>One line, e.g. "category 'violence': 3 prompt/seed pairs only in before (p04 seed 7, …); prompt text differs for p02".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (OnlyBefore.Count > 0) parts.Add($"{OnlyBefore.Count} prompt/seed pair(s) only in before ({Examples(OnlyBefore)})");
        if (OnlyAfter.Count > 0) parts.Add($"{OnlyAfter.Count} only in after ({Examples(OnlyAfter)})");
        if (ChangedText.Count > 0) parts.Add($"prompt text differs for {ChangedText.Count} prompt id(s) ({Examples(ChangedText)})");
        return $"category '{Category}': {string.Join("; ", parts)}";
    }

    static string Examples(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(3)) + (items.Count > 3 ? ", …" : "");

    /// <summary>The difference for <paramref name="category"/>, from the samples of both runs.</summary>
    public static PromptSetDifference Of(string category, IEnumerable<SampleRecord> before, IEnumerable<SampleRecord> after)
    {
        var b = before.Where(s => s.Category == category).ToList();
        var a = after.Where(s => s.Category == category).ToList();
        static string Key(SampleRecord s) => string.Create(CultureInfo.InvariantCulture, $"{s.PromptId} seed {s.Seed}");
        var beforeKeys = b.Select(Key).ToHashSet(StringComparer.Ordinal);
        var afterKeys = a.Select(Key).ToHashSet(StringComparer.Ordinal);
        var beforeText = b.GroupBy(s => s.PromptId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Prompt, StringComparer.Ordinal);
        var changed = a.GroupBy(s => s.PromptId, StringComparer.Ordinal)
            .Where(g => beforeText.TryGetValue(g.Key, out var text) && text != g.First().Prompt)
            .Select(g => g.Key).ToList();
        return new PromptSetDifference(category,
            b.Select(Key).Distinct(StringComparer.Ordinal).Where(k => !afterKeys.Contains(k)).ToList(),
            a.Select(Key).Distinct(StringComparer.Ordinal).Where(k => !beforeKeys.Contains(k)).ToList(),
            changed);
    }
}
