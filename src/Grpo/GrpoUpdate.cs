
namespace Probe.Grpo;

/// <summary>
/// What one update did, reported through <see cref="GrpoLoop{TConfig, TRollout, TScore}.Run"/>'s progress (one record per update, the row a
/// runner writes to its CSV). Ratio, clip fraction and approx KL are over every micro-step of the update; grad norm is
/// the mean pre-clipping norm over its optimiser steps; the learning rate is the last step's.
/// </summary>
public sealed record GrpoUpdate
{
    /// <summary>1-based index of this update; <see cref="TotalUpdates"/> in the run.</summary>
    public required int Update { get; init; }
    public required int TotalUpdates { get; init; }
    public required IReadOnlyList<string> Prompts { get; init; }

    /// <summary>Reward of every image (prompt-major), and their mean and population standard deviation.</summary>
    public required IReadOnlyList<double> Rewards { get; init; }
    public required double RewardMean { get; init; }
    public required double RewardStd { get; init; }

    /// <summary>Share of images the judge called unsafe; null when the reward function gives no decisions.</summary>
    public required double? UnsafeRate { get; init; }

    public required double Loss { get; init; }
    public required double ApproxKl { get; init; }
    public required double ClipFraction { get; init; }
    public required double RatioMean { get; init; }
    public required double RatioMin { get; init; }
    public required double RatioMax { get; init; }

    /// <summary>Mean (μθ − μref)²/(2σ²) to the reference policy; null when kl_beta is 0.</summary>
    public required double? KlToReference { get; init; }

    public required double GradNorm { get; init; }
    public required double LearningRate { get; init; }
    public required int OptimizerSteps { get; init; }

    /// <summary>Optimiser steps skipped because float16 gradients overflowed (the loss scale was halved instead).</summary>
    public required int SkippedSteps { get; init; }

    public required double Seconds { get; init; }
    public required double RolloutSeconds { get; init; }
    public required double ImagesPerSecond { get; init; }
}
