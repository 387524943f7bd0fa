using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// The training noise schedule shared by every scheduler: betas from the config, optionally rescaled to zero terminal
/// SNR, and their float32 cumulative product ᾱ_t. Computed with libtorch in float32 in the order diffusers computes it
/// (e.g. scaled_linear = float32 linspace of √β, squared, then float32 cumprod), so ᾱ matches diffusers to the bit
/// and not just to float64 accuracy.
/// </summary>
public static class NoiseSchedule
{
    /// <summary>Config defaults shared by DDIMScheduler, EulerDiscreteScheduler and DPMSolverMultistepScheduler.</summary>
    public const int DefaultNumTrainTimesteps = 1000;
    public const double DefaultBetaStart = 0.0001;
    public const double DefaultBetaEnd = 0.02;
    public const string DefaultBetaSchedule = "linear";

    /// <summary>β_t (float32, length num_train_timesteps) as diffusers' scheduler constructors build them.</summary>
    public static float[] Betas(SchedulerConfig config, string scheduler)
    {
        using var scope = torch.NewDisposeScope();
        return ToArray(BetasTensor(config, scheduler));
    }

    /// <summary>ᾱ_t = ∏(1 − β_s), float32, as diffusers' <c>alphas_cumprod</c> (before any scheduler-specific edit).</summary>
    public static float[] AlphasCumprod(SchedulerConfig config, string scheduler)
    {
        using var scope = torch.NewDisposeScope();
        var alphas = 1.0f - BetasTensor(config, scheduler);
        return ToArray(alphas.cumprod(0));
    }

    static torch.Tensor BetasTensor(SchedulerConfig config, string scheduler)
    {
        var n = config.NumTrainTimesteps ?? DefaultNumTrainTimesteps;
        if (n < 1) throw SchedulerConfigException.Unsupported(scheduler, "num_train_timesteps", n, "a positive count");
        var start = config.BetaStart ?? DefaultBetaStart;
        var end = config.BetaEnd ?? DefaultBetaEnd;
        torch.Tensor betas;
        if (config.TrainedBetas is { } trained)
        {
            if (trained.Count != n)
                throw new SchedulerConfigException(
                    $"{scheduler}: trained_betas has {trained.Count} values but num_train_timesteps is {n}");
            betas = torch.tensor(trained.Select(b => (float)b).ToArray(), dtype: torch.float32);
        }
        else
        {
            var schedule = config.BetaSchedule ?? DefaultBetaSchedule;
            betas = schedule switch
            {
                "linear" => torch.linspace(start, end, n, dtype: torch.float32),
                // Latent-diffusion schedule: linear in √β, in float32, then squared (diffusers scheduling_ddim.py:209).
                "scaled_linear" => torch.linspace(Math.Pow(start, 0.5), Math.Pow(end, 0.5), n, dtype: torch.float32).pow(2),
                "squaredcos_cap_v2" => torch.tensor(CosineBetas(n), dtype: torch.float32),
                _ => throw SchedulerConfigException.Unsupported(scheduler, "beta_schedule", schedule,
                    "'linear', 'scaled_linear' or 'squaredcos_cap_v2'"),
            };
        }
        return config.RescaleBetasZeroSnr == true ? RescaleZeroTerminalSnr(betas) : betas;
    }

    /// <summary>
    /// GLIDE's cosine schedule: β_i = min(1 − ᾱ((i+1)/n) / ᾱ(i/n), 0.999) with ᾱ(t) = cos²((t + 0.008)/1.008 · π/2),
    /// computed in float64 like diffusers' <c>betas_for_alpha_bar</c> and only then rounded to float32.
    /// </summary>
    static double[] CosineBetas(int n)
    {
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        var betas = new double[n];
        for (var i = 0; i < n; i++)
        {
            var t1 = (double)i / n;
            var t2 = (double)(i + 1) / n;
            betas[i] = Math.Min(1 - AlphaBar(t2) / AlphaBar(t1), 0.999);
        }
        return betas;
    }

    /// <summary>
    /// Rescales betas so that ᾱ_T = 0 (arXiv:2305.08891, Algorithm 1): shift √ᾱ so its last value is 0, scale so its
    /// first value is unchanged, and convert back. Float32 tensor arithmetic in diffusers' order.
    /// </summary>
    public static torch.Tensor RescaleZeroTerminalSnr(torch.Tensor betas)
    {
        using var scope = torch.NewDisposeScope();
        var alphasBarSqrt = (1.0f - betas).cumprod(0).sqrt();
        var first = alphasBarSqrt[0].clone();
        var last = alphasBarSqrt[-1].clone();
        alphasBarSqrt = (alphasBarSqrt - last) * (first / (first - last));
        var alphasBar = alphasBarSqrt.pow(2);
        var alphas = torch.cat([alphasBar[..1], alphasBar[1..] / alphasBar[..^1]]);
        return (1.0f - alphas).MoveToOuterDisposeScope();
    }

    static float[] ToArray(torch.Tensor t) => t.to(torch.float32).cpu().data<float>().ToArray();
}
