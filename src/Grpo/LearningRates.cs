
namespace Probe.Grpo;

/// <summary>The learning rate at an optimiser step, as diffusers' get_scheduler shapes (warm-up, then constant/linear/cosine to 0).</summary>
public static class LearningRates
{
    /// <param name="step">0-based index of the optimiser step about to be taken.</param>
    /// <param name="totalSteps">Optimiser steps in the whole run.</param>
    public static double At(int step, int totalSteps, double baseRate, LearningRateSchedule schedule, int warmupSteps)
    {
        if (step < warmupSteps) return baseRate * (step + 1) / warmupSteps;
        if (schedule == LearningRateSchedule.Constant) return baseRate;
        var decaySteps = Math.Max(1, totalSteps - warmupSteps);
        var progress = Math.Clamp((double)(step - warmupSteps) / decaySteps, 0, 1);
        return schedule switch
        {
            LearningRateSchedule.Linear => baseRate * (1 - progress),
            LearningRateSchedule.Cosine => baseRate * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, null),
        };
    }
}
