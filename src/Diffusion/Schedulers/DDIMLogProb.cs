using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// Log-probabilities of DDIM transitions, the quantity GRPO/DDPO optimise. A DDIM step with η &gt; 0 is the Gaussian
/// p(x_{t−1} | x_t) = N(μ_θ(x_t, t), σ_t² I) with μ_θ and σ_t = η·√variance as in
/// <see cref="DDIMScheduler.Step(torch.Tensor, torch.Tensor, torch.Tensor, double, torch.Tensor?, torch.Generator?, torch.Tensor?, bool)"/>.
/// Following ddpo-pytorch (<c>ddim_with_logprob.py</c>), the reported value is the per-element log-density averaged
/// over every dimension but the batch:
/// <code>
/// log_prob[b] = mean_{c,h,w} [ −(x_{t−1} − μ)² / (2σ_t²) − log σ_t − log √(2π) ]
/// </code>
/// with x_{t−1} detached, so gradients reach the model output only through μ_θ (σ_t does not depend on it).
/// </summary>
public static class DDIMLogProb
{
    /// <summary>log √(2π) in float32, computed as ddpo-pytorch does (log(sqrt(2·float32(π)))).</summary>
    static readonly float LogSqrtTwoPi = MathF.Log(MathF.Sqrt(2f * MathF.PI));

    /// <summary>
    /// log p(<paramref name="prevSample"/> | <paramref name="modelOutput"/>, <paramref name="timestep"/>,
    /// <paramref name="sample"/>) under <paramref name="scheduler"/>'s DDIM step with <paramref name="eta"/>: [B],
    /// float32, differentiable with respect to <paramref name="modelOutput"/>. Pure: it reads the scheduler's
    /// schedule (ᾱ, step size, prediction type, clipping) and changes nothing, so a trainer can re-score recorded
    /// trajectories under the current policy's model output.
    /// </summary>
    /// <param name="scheduler">The DDIM scheduler the trajectory was sampled with (SetTimesteps already called).</param>
    /// <param name="modelOutput">The model's output at (x_t, t); gradients flow back into it.</param>
    /// <param name="timestep">A scalar, or [B] with one timestep per trajectory.</param>
    /// <param name="sample">x_t.</param>
    /// <param name="prevSample">The recorded x_{t−1} to score.</param>
    /// <param name="eta">η &gt; 0 of the sampling run.</param>
    /// <param name="useClippedModelOutput">As in the sampling run's step.</param>
    public static torch.Tensor Of(DDIMScheduler scheduler, torch.Tensor modelOutput, torch.Tensor timestep,
        torch.Tensor sample, torch.Tensor prevSample, double eta, bool useClippedModelOutput = false)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(prevSample);
        if (!(eta > 0))
            throw new ArgumentOutOfRangeException(nameof(eta), eta, "the DDIM log-probability needs eta > 0 (with eta = 0 the step is deterministic)");
        using var scope = torch.NewDisposeScope();
        var step = scheduler.Step(modelOutput, timestep, sample, eta, prevSample: prevSample,
            useClippedModelOutput: useClippedModelOutput);
        return step.LogProb!.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean over all dimensions but the first of log N(<paramref name="value"/> | <paramref name="mean"/>,
    /// <paramref name="std"/>²), with <paramref name="value"/> detached (ddpo-pytorch's definition).
    /// <paramref name="std"/> broadcasts against <paramref name="mean"/> and must be positive.
    /// </summary>
    public static torch.Tensor Gaussian(torch.Tensor value, torch.Tensor mean, torch.Tensor std)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        using var scope = torch.NewDisposeScope();
        // Same operation order as ddpo-pytorch: (−(x − μ)²) / (2σ²) − log σ − log √(2π).
        var perElement = -(value.detach() - mean).pow(2) / (2 * std.pow(2)) - std.log() - LogSqrtTwoPi;
        var dims = Enumerable.Range(1, (int)perElement.dim() - 1).Select(d => (long)d).ToArray();
        var result = dims.Length == 0 ? perElement : perElement.mean(dims);
        return result.MoveToOuterDisposeScope();
    }
}
