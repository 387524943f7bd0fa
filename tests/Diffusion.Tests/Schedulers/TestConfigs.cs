

using Probe.Diffusion.Schedulers;

namespace Probe.Tests.Schedulers;

/// <summary>Scheduler configs the scheduler tests start from.</summary>
public static class TestConfigs
{
    /// <summary>The SD 2.x DDIM config of the sd21-tiny reference set (scaled_linear 0.00085..0.012, leading, offset 1).</summary>
    public static SchedulerConfig Sd21 { get; } =
        SchedulerConfig.Load(Path.Combine(Fixtures.Root, "sd21-tiny", "pipeline", "scheduler", "scheduler_config.json"));

    /// <summary>√((1 − ᾱ_t)/ᾱ_t), the σ of training timestep t, in float64 from the float32 ᾱ.</summary>
    public static double TrainSigma(IReadOnlyList<float> alphasCumprod, int t) =>
        Math.Sqrt((1.0 - alphasCumprod[t]) / alphasCumprod[t]);
}
