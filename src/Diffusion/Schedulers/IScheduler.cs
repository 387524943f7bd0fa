using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// What the text-to-image loop needs from a scheduler, as in diffusers: pick the inference timesteps, scale the
/// initial noise and the model input, and advance the sample one step from the model's output.
/// <code>
/// scheduler.SetTimesteps(steps, device);
/// latents = noise * scheduler.InitNoiseSigma;
/// for (var i = 0; i &lt; scheduler.Timesteps.shape[0]; i++) {
///     var t = scheduler.Timesteps[i];
///     var eps = unet(scheduler.ScaleModelInput(latents, t), t, context);
///     latents = scheduler.Step(eps, t, latents).PrevSample;
/// }
/// </code>
/// A scheduler holds no model and does no I/O; it owns its <see cref="Timesteps"/> tensor (and, for multistep
/// solvers, the previous model outputs), hence <see cref="IDisposable"/>.
/// </summary>
public interface IScheduler : IDisposable
{
    /// <summary>The config the scheduler was built from (absent keys took this scheduler's diffusers defaults).</summary>
    SchedulerConfig Config { get; }

    /// <summary>Length of the training schedule (1000 for Stable Diffusion).</summary>
    int NumTrainTimesteps { get; }

    /// <summary>Steps chosen by <see cref="SetTimesteps"/>; null before it is called.</summary>
    int? NumInferenceSteps { get; }

    /// <summary>
    /// The timesteps to run, in order (1-D; int64 for DDIM and DPM-Solver, float32 for Euler, as in diffusers). Owned
    /// by the scheduler: index it, do not dispose it.
    /// </summary>
    torch.Tensor Timesteps { get; }

    /// <summary>Standard deviation of the initial noise: multiply unit Gaussian latents by it.</summary>
    double InitNoiseSigma { get; }

    /// <summary>Chooses <paramref name="numInferenceSteps"/> timesteps and resets any per-run state.</summary>
    void SetTimesteps(int numInferenceSteps, torch.Device? device = null);

    /// <summary>The model input for <paramref name="sample"/> at <paramref name="timestep"/> (identity for DDIM).</summary>
    torch.Tensor ScaleModelInput(torch.Tensor sample, torch.Tensor timestep);

    /// <summary>One denoising step from <paramref name="timestep"/> to the next timestep of the schedule.</summary>
    SchedulerStepOutput Step(torch.Tensor modelOutput, torch.Tensor timestep, torch.Tensor sample, torch.Generator? generator = null);
}
