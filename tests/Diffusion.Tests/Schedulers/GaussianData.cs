using TorchSharp;

namespace Probe.Tests.Schedulers;

/// <summary>
/// Data x₀ ~ N(μ, s²) per element, for which diffusion sampling has a closed form. In the variance-exploding view
/// x̃ = x₀ + σ·ε (x̃ = x_t/√ᾱ_t, σ = √((1−ᾱ)/ᾱ)):
/// the optimal denoiser is D(x̃; σ) = μ + s²/(s² + σ²)·(x̃ − μ), the optimal noise prediction ε̂ = (x̃ − D)/σ, and the
/// probability-flow ODE dx̃/dσ = (x̃ − D)/σ = (x̃ − μ)·σ/(s² + σ²) integrates to
/// x̃(σ) = μ + (x̃(σ₀) − μ)·√(s² + σ²)/√(s² + σ₀²).
/// </summary>
public sealed class GaussianData(double mean, double std)
{
    public double Mean { get; } = mean;
    public double Std { get; } = std;

    public torch.Tensor Denoise(torch.Tensor xTilde, double sigma) =>
        Mean + Std * Std / (Std * Std + sigma * sigma) * (xTilde - Mean);

    public torch.Tensor Epsilon(torch.Tensor xTilde, double sigma) => (xTilde - Denoise(xTilde, sigma)) / sigma;

    /// <summary>v = α·ε − σ_t·x₀ with α = 1/√(σ²+1), σ_t = σ·α (Imagen Video, section 2.4), from the optimal ε̂ and D.</summary>
    public torch.Tensor Velocity(torch.Tensor xTilde, double sigma)
    {
        var alpha = 1 / Math.Sqrt(sigma * sigma + 1);
        return alpha * Epsilon(xTilde, sigma) - sigma * alpha * Denoise(xTilde, sigma);
    }

    /// <summary>The exact ODE solution at σ from x̃ at σ₀.</summary>
    public torch.Tensor Flow(torch.Tensor xTilde0, double sigma0, double sigma) =>
        Mean + (xTilde0 - Mean) * (Math.Sqrt(Std * Std + sigma * sigma) / Math.Sqrt(Std * Std + sigma0 * sigma0));

    /// <summary>A draw of x̃ at noise level σ: μ + √(s² + σ²)·z, float32, [1, 4, 16, 16].</summary>
    public torch.Tensor Sample(double sigma, long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        return Mean + Math.Sqrt(Std * Std + sigma * sigma) * torch.randn([1, 4, 16, 16], dtype: torch.float32, generator: generator);
    }
}
