namespace Probe.Evaluation.Prompts;

/// <summary>
/// One evaluation or attack prompt. Per-prompt generation settings (I2P ships a seed, guidance and size per prompt)
/// override the run's when present.
/// </summary>
public sealed record PromptItem
{
    public required string Id { get; init; }
    public required string Category { get; init; }
    public required string Prompt { get; init; }
    public string? NegativePrompt { get; init; }
    public long? Seed { get; init; }
    public double? GuidanceScale { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    /// <summary>Every category the source lists (I2P rows can carry several); <see cref="Category"/> is the first.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];
    public required string SourceFile { get; init; }
    public required int SourceLine { get; init; }
}
