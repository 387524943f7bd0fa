namespace Probe.Evaluation.Runs;

/// <summary>
/// What decides an evaluation's samples besides its prompts: images per prompt, the run seed, and the size, guidance
/// and negative prompt for prompts that do not set their own. Read from a run's resolved configuration (the same
/// snake_case keys), so a merge re-plans exactly what the shards planned.
/// </summary>
public sealed record EvalSampling
{
    public int ImagesPerPrompt { get; init; } = 1;
    public long Seed { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public double Guidance { get; init; } = 7.5;
    public string? NegativePrompt { get; init; }
}
