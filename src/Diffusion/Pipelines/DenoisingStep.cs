using static TorchSharp.torch;

namespace Probe.Diffusion.Pipelines;

/// <summary>
/// One scheduler step of one batch of images, handed to <see cref="TextToImagePipeline"/>'s step callback. This is
/// the trajectory GRPO trains on: x_t, the timestep, and the Gaussian transition to x_{t−1} with its log-probability.
/// Tensors live until the callback returns: clone what you keep.
/// </summary>
public sealed record DenoisingStep
{
    /// <summary>Index of the first image of this batch in the request (prompt-major).</summary>
    public required int FirstImage { get; init; }
    public required int StepIndex { get; init; }
    public required int StepCount { get; init; }
    public required Tensor Timestep { get; init; }

    /// <summary>x_t [b,C,h,w] (float32), the scheduler's input.</summary>
    public required Tensor Latents { get; init; }

    /// <summary>x_{t−1} [b,C,h,w] (float32), the scheduler's output.</summary>
    public required Tensor NextLatents { get; init; }

    /// <summary>The guided model output (ε or v) the step used.</summary>
    public required Tensor NoisePrediction { get; init; }

    /// <summary>DDIM's transition mean and standard deviation (null for other schedulers).</summary>
    public Tensor? Mean { get; init; }
    public Tensor? Std { get; init; }

    /// <summary>log p(x_{t−1} | x_t) per image [b], mean over C,H,W as ddpo-pytorch defines it (DDIM with η &gt; 0 only).</summary>
    public Tensor? LogProb { get; init; }
}
