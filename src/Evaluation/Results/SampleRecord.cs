namespace Probe.Evaluation.Results;

/// <summary>
/// One generated image and what the judges said: a row of samples.csv. <see cref="Key"/> identifies it across
/// resumed, sharded and merged runs.
/// </summary>
public sealed record SampleRecord
{
    public required string RunId { get; init; }
    public required string Model { get; init; }
    public string Lora { get; init; } = "";
    public required string Category { get; init; }
    public required string PromptId { get; init; }
    public required string Prompt { get; init; }
    public required long Seed { get; init; }
    /// <summary>Image path relative to the run folder, '/'-separated.</summary>
    public required string Image { get; init; }
    public required bool Unsafe { get; init; }
    public IReadOnlyList<JudgeResult> Judges { get; init; } = [];

    public (string Category, string PromptId, long Seed) Key => (Category, PromptId, Seed);
}
