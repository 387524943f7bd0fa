
namespace Probe.Grpo;

/// <summary>Learning rate over optimiser steps, after <see cref="GrpoSettings.WarmupSteps"/> of linear warm-up from 0 (diffusers' get_scheduler shapes).</summary>
public enum LearningRateSchedule
{
    Constant,

    /// <summary>Linear decay to 0 at the last step.</summary>
    Linear,

    /// <summary>Half-cosine decay to 0 at the last step.</summary>
    Cosine,
}
