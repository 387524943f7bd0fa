namespace Probe.Diffusion.Schedulers;

/// <summary>
/// Karras et al. (2022) noise levels and the inverse map from a noise level back to a (fractional) training
/// timestep, as diffusers 0.27.2 computes them for Euler and DPM-Solver (<c>_convert_to_karras</c>,
/// <c>_sigma_to_t</c>), including numpy 1.x's mixed float32/float64 arithmetic.
/// </summary>
internal static class KarrasSigmas
{
    /// <summary>ρ = 7, the value of the paper.</summary>
    const double Rho = 7.0;

    /// <summary>σ_i = (σ_max^{1/ρ} + i/(n−1) · (σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, float64, i = 0..n−1.</summary>
    public static double[] Sigmas(double sigmaMin, double sigmaMax, int n)
    {
        var ramp = NumpyCompat.Linspace(0, 1, n);
        var minInvRho = Math.Pow(sigmaMin, 1 / Rho);
        var maxInvRho = Math.Pow(sigmaMax, 1 / Rho);
        return ramp.Select(r => Math.Pow(maxInvRho + r * (minInvRho - maxInvRho), Rho)).ToArray();
    }

    /// <summary>
    /// The training timestep whose σ equals <paramref name="sigma"/>, interpolating linearly in log σ between the
    /// two bracketing entries of <paramref name="logSigmas"/> (ascending, float32). diffusers evaluates this with a
    /// float64 σ against a float32 table; numpy 1.x then computes the weight in float32 (the float64 scalar is
    /// demoted) and the final blend of the integer indices in float64. Reproduced here step by step.
    /// </summary>
    public static double SigmaToT(double sigma, IReadOnlyList<float> logSigmas)
    {
        var logSigma = (float)Math.Log(Math.Max(sigma, 1e-10));
        // low_idx = cumsum(dists >= 0).argmax().clip(max = n - 2): the first index at which the running count of
        // table entries ≤ log σ reaches its final value.
        int count = 0, best = 0, low = 0;
        for (var i = 0; i < logSigmas.Count; i++)
        {
            if (logSigma - logSigmas[i] >= 0) count++;
            if (count > best)
            {
                best = count;
                low = i;
            }
        }
        low = Math.Min(low, logSigmas.Count - 2);
        var high = low + 1;
        float lo = logSigmas[low], hi = logSigmas[high];
        var w = (lo - logSigma) / (lo - hi);
        w = Math.Clamp(w, 0f, 1f);
        return (double)(1f - w) * low + (double)w * high;
    }
}
