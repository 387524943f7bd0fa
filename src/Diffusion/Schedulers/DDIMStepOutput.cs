using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// One DDIM step with everything a policy-gradient trainer needs. The step is a Gaussian transition
/// x_{t−1} ~ N(<see cref="PrevSampleMean"/>, <see cref="StdDevT"/>²); <c>PrevSample</c> is the draw (or the
/// caller's sample) and <see cref="LogProb"/> its log-density, as ddpo-pytorch defines it, for η &gt; 0.
/// Statistics are float32. <see cref="AlphaProdT"/>, <see cref="AlphaProdTPrev"/> and <see cref="Variance"/> have
/// shape [N], N = the timestep's element count (1 for a scalar timestep, B for per-sample timesteps);
/// <see cref="StdDevT"/> has shape [N, 1, …, 1] so it broadcasts against the sample; <see cref="LogProb"/> has
/// shape [B] and is null when η = 0 (the transition is then deterministic).
/// </summary>
public sealed record DDIMStepOutput(
    torch.Tensor PrevSample,
    torch.Tensor PredOriginalSample,
    torch.Tensor PrevSampleMean,
    torch.Tensor StdDevT,
    torch.Tensor? LogProb,
    torch.Tensor AlphaProdT,
    torch.Tensor AlphaProdTPrev,
    torch.Tensor Variance) : SchedulerStepOutput(PrevSample, PredOriginalSample);
