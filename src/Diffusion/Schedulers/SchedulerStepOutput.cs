using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// Result of one scheduler step: the sample at the next (less noisy) timestep and the scheduler's estimate of the
/// clean sample x₀ made on the way (for previews and guidance). Tensors belong to the caller's dispose scope.
/// </summary>
public record SchedulerStepOutput(torch.Tensor PrevSample, torch.Tensor PredOriginalSample);
