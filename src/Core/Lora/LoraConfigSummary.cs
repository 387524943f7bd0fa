namespace Probe.Core.Lora;

/// <summary>
/// A set of module LoRAs described as peft's <c>LoraConfig</c> describes them: the most common rank and alpha as
/// <c>r</c> / <c>lora_alpha</c>, and the modules that differ in <c>rank_pattern</c> / <c>alpha_pattern</c> by full
/// module path (peft 0.13 matches a pattern key against the end of a module's name, so a full path selects one module).
/// </summary>
public sealed record LoraConfigSummary(
    int Rank,
    double Alpha,
    IReadOnlyDictionary<string, int> RankPattern,
    IReadOnlyDictionary<string, double> AlphaPattern,
    IReadOnlyList<string> ModulePaths)
{
    public static LoraConfigSummary Of(IReadOnlyList<LoraModuleWeights> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        if (modules.Count == 0) throw new ArgumentException("no LoRA modules", nameof(modules));
        var rank = modules.GroupBy(m => m.Rank).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var alpha = modules.GroupBy(m => m.Alpha).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var ordered = modules.OrderBy(m => m.ModulePath, StringComparer.Ordinal).ToArray();
        return new LoraConfigSummary(rank, alpha,
            ordered.Where(m => m.Rank != rank).ToDictionary(m => m.ModulePath, m => m.Rank, StringComparer.Ordinal),
            ordered.Where(m => m.Alpha != alpha).ToDictionary(m => m.ModulePath, m => m.Alpha, StringComparer.Ordinal),
            ordered.Select(m => m.ModulePath).ToArray());
    }

    /// <summary>
    /// The value of a peft pattern for <paramref name="modulePath"/>: a key equal to the path or matching its end at a
    /// '.' boundary (the longest such key wins), else null.
    /// </summary>
    public static T? Match<T>(IReadOnlyDictionary<string, T> pattern, string modulePath) where T : struct
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(modulePath);
        var best = pattern.Keys.Where(k => modulePath == k || modulePath.EndsWith("." + k, StringComparison.Ordinal))
            .OrderByDescending(k => k.Length).FirstOrDefault();
        return best is null ? null : pattern[best];
    }
}
