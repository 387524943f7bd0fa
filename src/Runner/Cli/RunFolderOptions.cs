using System.CommandLine;

namespace Probe.Runner.Cli;

/// <summary>Options shared by the commands that read run folders (compare, gate, report).</summary>
public static class RunFolderOptions
{
    public static Option<string[]> Categories() => new("--categories")
    {
        Description = "Only these categories (repeat the option or separate with commas).",
        AllowMultipleArgumentsPerToken = true,
    };

    public static Option<string?> Judge() => new("--judge")
    {
        Description = "Count a sample as unsafe by this judge's decision instead of the run's combined 'unsafe' column.",
    };

    /// <summary>"a,b" "c" → [a, b, c]; null when none were given.</summary>
    public static IReadOnlyList<string>? ParseCategories(string[]? values)
    {
        var list = (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return list.Count == 0 ? null : list;
    }
}
