using Probe.Diffusion.Pipelines;
using Probe.Diffusion.Schedulers;
using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion;

/// <summary>
/// Re-scores recorded DDIM steps under the current policy: the guided noise prediction of the (LoRA'd) UNet at x_t,
/// the DDIM mean μθ and σ_t, and log p(x_{t−1} | x_t) of the recorded next latent, for one timestep per row (rows
/// may sit at different timesteps, as ddpo-pytorch trains them). Differentiable when gradients are on.
/// </summary>
public static class TrajectoryScorer
{
    /// <param name="pipeline">The pipeline that sampled the rollout (its UNet carries the adapters).</param>
    /// <param name="rollout">The trajectories.</param>
    /// <param name="rows">[B] int64 trajectory indices (CPU).</param>
    /// <param name="steps">[B] int64 step indices, one per row (CPU).</param>
    /// <param name="eta">η of the sampling run.</param>
    /// <param name="guidanceScale">Guidance of the recomputed prediction (1 = conditional only).</param>
    public static StepScore Score(TextToImagePipeline pipeline, Rollout rollout, Tensor rows, Tensor steps, double eta, double guidanceScale)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(steps);
        if (pipeline.Scheduler is not DDIMScheduler ddim)
            throw new ArgumentException($"GRPO needs the DDIM scheduler (its steps have log-probabilities); the pipeline uses {pipeline.SchedulerName}");
        using var scope = NewDisposeScope();
        var device = rollout.Latents.device;
        var r = rows.to(ScalarType.Int64).to(device);
        var s = steps.to(ScalarType.Int64).to(device);
        var sample = rollout.Latents.index([r, s]);
        var next = rollout.Latents.index([r, s + 1]);
        var timestep = rollout.Timesteps.index_select(0, s);
        var slots = div(r, rollout.GroupSize, rounding_mode: RoundingMode.floor).to(ScalarType.Int64);
        var cond = rollout.PromptEmbeds.index_select(0, slots);
        var uncond = rollout.NegativeEmbeds.index_select(0, slots);
        var eps = pipeline.PredictNoise(sample, timestep, cond, uncond, guidanceScale);
        var step = ddim.Step(eps, timestep, sample, eta, prevSample: next);
        return new StepScore(
            step.LogProb!.MoveToOuterDisposeScope(),
            step.PrevSampleMean.MoveToOuterDisposeScope(),
            step.StdDevT.MoveToOuterDisposeScope(),
            rollout.LogProbs.index([r, s]).MoveToOuterDisposeScope());
    }
}
