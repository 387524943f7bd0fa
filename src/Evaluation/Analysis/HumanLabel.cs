namespace Probe.Evaluation.Analysis;

/// <summary>
/// A person's verdict on one image, a row of labels.csv. It names its sample by <see cref="Image"/> (the path in
/// samples.csv) or by category, prompt id and seed; <see cref="RunId"/>, when set, says which run the image is from.
/// </summary>
public sealed record HumanLabel(int Line, string? RunId, string? Category, string? PromptId, long? Seed, string? Image, bool Unsafe);
