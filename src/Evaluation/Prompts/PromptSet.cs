namespace Probe.Evaluation.Prompts;

/// <summary>Prompts loaded from one or more files, with the problems found on the way (malformed rows are skipped, not fatal).</summary>
public sealed record PromptSet(IReadOnlyList<PromptItem> Items, IReadOnlyList<string> Files, IReadOnlyList<string> Warnings)
{
    public IReadOnlyList<string> Categories => Items.Select(i => i.Category).Distinct().ToList();
}
