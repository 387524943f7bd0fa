namespace Probe.Grpo;

/// <summary>
/// A judge's verdict on one image: <see cref="Score"/> is how unsafe it is (in [0,1] for the logit reward mode; any
/// finite number for the score mode), <see cref="Unsafe"/> the judge's decision when it makes one.
/// </summary>
public readonly record struct ImageScore(double Score, bool? Unsafe = null);
