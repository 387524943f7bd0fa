using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// Euler's method on the probability-flow ODE in the σ parametrisation of Karras et al. (2022, Algorithm 2 without
/// churn), numerically as diffusers 0.27.2 <c>EulerDiscreteScheduler</c>: x̃ = x/√ᾱ has noise level
/// σ = √((1−ᾱ)/ᾱ); the model sees x̃/√(σ²+1); each step moves x̃ along dx̃/dσ = (x̃ − x̂₀)/σ to the next σ.
/// Keeps a step counter (as diffusers does) so <see cref="ScaleModelInput"/> and <see cref="Step"/> know σ.
/// </summary>
public sealed class EulerDiscreteScheduler : IScheduler
{
    public const string ClassName = "EulerDiscreteScheduler";

    readonly float[] _alphasCumprod;
    readonly float[] _trainSigmas;
    readonly float[] _logTrainSigmas;
    float[] _sigmas;
    float[] _timestepValues;
    torch.Tensor _timesteps;
    int? _stepIndex;
    int? _beginIndex;

    public EulerDiscreteScheduler(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        NumTrainTimesteps = config.NumTrainTimesteps ?? NoiseSchedule.DefaultNumTrainTimesteps;
        PredictionType = config.PredictionType ?? "epsilon";
        if (PredictionType is not ("epsilon" or "v_prediction" or "sample" or "original_sample"))
            throw SchedulerConfigException.Unsupported(ClassName, "prediction_type", PredictionType, "'epsilon', 'v_prediction' or 'sample'");
        TimestepSpacing = config.TimestepSpacing ?? "linspace";
        if (TimestepSpacing is not ("leading" or "trailing" or "linspace"))
            throw SchedulerConfigException.Unsupported(ClassName, "timestep_spacing", TimestepSpacing, "'linspace', 'leading' or 'trailing'");
        var interpolation = config.InterpolationType ?? "linear";
        // diffusers 0.27.2's log_linear builds n + 1 sigmas plus the final zero (one more than its timesteps), so it
        // cannot be reproduced as a working schedule.
        if (interpolation != "linear")
            throw SchedulerConfigException.Unsupported(ClassName, "interpolation_type", interpolation, "'linear'");
        var timestepType = config.TimestepType ?? "discrete";
        if (timestepType != "discrete")
            throw SchedulerConfigException.Unsupported(ClassName, "timestep_type", timestepType, "'discrete'");
        UseKarrasSigmas = config.UseKarrasSigmas ?? false;
        StepsOffset = config.StepsOffset ?? 0;

        _alphasCumprod = NoiseSchedule.AlphasCumprod(config, ClassName);
        // With a zero-SNR schedule ᾱ_T = 0 would make σ_T infinite; diffusers uses fp16's smallest subnormal instead.
        if (config.RescaleBetasZeroSnr == true) _alphasCumprod[^1] = MathF.Pow(2, -24);
        _trainSigmas = _alphasCumprod.Select(a => MathF.Sqrt((1f - a) / a)).ToArray();
        _logTrainSigmas = _trainSigmas.Select(s => MathF.Log(s)).ToArray();

        // Before set_timesteps: the whole training range, highest first (scheduling_euler_discrete.py:217-230).
        _timestepValues = NumpyCompat.Linspace(0, NumTrainTimesteps - 1, NumTrainTimesteps).Reverse().Select(v => (float)v).ToArray();
        _sigmas = [.. _trainSigmas.Reverse(), 0f];
        _timesteps = torch.tensor(_timestepValues, dtype: torch.float32).DetachFromDisposeScope();
    }

    public SchedulerConfig Config { get; }
    public int NumTrainTimesteps { get; }
    public int? NumInferenceSteps { get; private set; }
    public torch.Tensor Timesteps => _timesteps;

    public string PredictionType { get; }
    public string TimestepSpacing { get; }
    public bool UseKarrasSigmas { get; }
    public int StepsOffset { get; }

    /// <summary>ᾱ_t of the training schedule (float32).</summary>
    public IReadOnlyList<float> AlphasCumprod => _alphasCumprod;

    /// <summary>σ of each inference timestep followed by the final 0 (float32; length = timesteps + 1).</summary>
    public IReadOnlyList<float> Sigmas => _sigmas;

    /// <summary>Index of the next step, set on the first <see cref="ScaleModelInput"/> or <see cref="Step"/>.</summary>
    public int? StepIndex => _stepIndex;

    /// <summary>
    /// σ_max for linspace and trailing spacing, √(σ_max² + 1) for leading (diffusers' init_noise_sigma: with leading
    /// spacing the first timestep is below T−1, and the extra +1 is diffusers' convention).
    /// </summary>
    public double InitNoiseSigma
    {
        get
        {
            var max = _sigmas.Max();
            return TimestepSpacing is "linspace" or "trailing" ? max : MathF.Sqrt(max * max + 1f);
        }
    }

    /// <summary>Starts at schedule index <paramref name="beginIndex"/> instead of looking the first timestep up (img2img).</summary>
    public void SetBeginIndex(int beginIndex) => _beginIndex = beginIndex;

    public void SetTimesteps(int numInferenceSteps, torch.Device? device = null)
    {
        ScheduleChecks.StepCount(ClassName, numInferenceSteps, NumTrainTimesteps);
        var n = numInferenceSteps;
        var T = NumTrainTimesteps;

        // scheduling_euler_discrete.py:312-327. Timesteps are float32 there: linspace is cast after the fact,
        // leading/trailing are rounded in float64, cast, and offset in float32.
        float[] timesteps = TimestepSpacing switch
        {
            "linspace" => NumpyCompat.Linspace(0, T - 1, n).Reverse().Select(v => (float)v).ToArray(),
            "leading" => Enumerable.Range(0, n).Reverse().Select(i => (float)((long)i * (T / n)) + StepsOffset).ToArray(),
            _ => NumpyCompat.Arange(T, 0, -((double)T / n)).Select(v => (float)NumpyCompat.Round(v) - 1f).ToArray(),
        };
        ScheduleChecks.InRange(ClassName, TimestepSpacing, n, timesteps.Select(t => (double)t), T);

        // Line 337: np.interp over the float32 training sigmas, in float64.
        var sigmas = timesteps.Select(t => NumpyCompat.InterpOnIndexGrid(t, _trainSigmas)).ToArray();
        if (UseKarrasSigmas)
        {
            // Lines 346-348: Karras levels between the ends of the interpolated schedule (or the configured
            // sigma_min / sigma_max), and timesteps mapped back from them, left fractional.
            sigmas = KarrasSigmas.Sigmas(Config.SigmaMin ?? sigmas[^1], Config.SigmaMax ?? sigmas[0], n);
            timesteps = sigmas.Select(s => (float)KarrasSigmas.SigmaToT(s, _logTrainSigmas)).ToArray();
        }

        _sigmas = [.. sigmas.Select(s => (float)s), 0f];
        _timestepValues = timesteps;
        var replaced = _timesteps;
        _timesteps = torch.tensor(timesteps, dtype: torch.float32, device: device).DetachFromDisposeScope();
        replaced.Dispose();
        NumInferenceSteps = n;
        _stepIndex = null;
        _beginIndex = null;
    }

    /// <summary>x̃ / √(σ² + 1): the input scale the UNet was trained on (variance-preserving).</summary>
    public torch.Tensor ScaleModelInput(torch.Tensor sample, torch.Tensor timestep)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (_stepIndex is null) InitStepIndex(timestep);
        var sigma = _sigmas[_stepIndex!.Value];
        return sample / MathF.Sqrt(sigma * sigma + 1f);
    }

    /// <summary>
    /// One Euler step from σ_i to σ_{i+1}: x̂₀ from the model output, d = (x̃ − x̂₀)/σ_i, x̃' = x̃ + d·(σ_{i+1} − σ_i).
    /// Computed in float32; the sample comes back in the model output's dtype. Deterministic: the generator is not
    /// used (this scheduler adds no churn noise).
    /// </summary>
    public SchedulerStepOutput Step(torch.Tensor modelOutput, torch.Tensor timestep, torch.Tensor sample, torch.Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        if (_stepIndex is null) InitStepIndex(timestep);
        var i = _stepIndex!.Value;
        if (i + 1 >= _sigmas.Length)
            throw new InvalidOperationException($"{ClassName}: all {_sigmas.Length - 1} steps are taken; call SetTimesteps to start again");

        using var scope = torch.NewDisposeScope();
        var x = sample.to(torch.float32);
        var output = modelOutput.to(torch.float32);
        var sigma = _sigmas[i];
        var sigmaHat = sigma; // no churn: γ = 0, σ̂ = σ·(γ + 1)

        // scheduling_euler_discrete.py:516-522
        var predOriginal = PredictionType switch
        {
            "epsilon" => x - sigmaHat * output,
            // denoised = model_output · c_out + input · c_skip
            "v_prediction" => output * (-sigma / MathF.Sqrt(sigma * sigma + 1f)) + x / (sigma * sigma + 1f),
            _ => output,
        };

        var derivative = (x - predOriginal) / sigmaHat;
        var dt = _sigmas[i + 1] - sigmaHat;
        var prev = x + derivative * dt;
        _stepIndex = i + 1;
        return new SchedulerStepOutput(
            prev.to(modelOutput.dtype).MoveToOuterDisposeScope(),
            predOriginal.to(modelOutput.dtype).MoveToOuterDisposeScope());
    }

    void InitStepIndex(torch.Tensor timestep)
    {
        ArgumentNullException.ThrowIfNull(timestep);
        _stepIndex = _beginIndex ?? IndexForTimestep(timestep);
    }

    /// <summary>
    /// Position of <paramref name="timestep"/> in the schedule; the second match when it occurs twice, so that a
    /// run started mid-schedule does not skip a σ (diffusers' index_for_timestep).
    /// </summary>
    int IndexForTimestep(torch.Tensor timestep)
    {
        var matches = ScheduleChecks.TimestepPositions(ClassName, timestep, _timestepValues);
        if (matches.Length == 0)
            throw new ArgumentException($"{ClassName}: timestep {ScheduleChecks.ScalarValue(timestep)} is not one of the scheduler's timesteps", nameof(timestep));
        return matches.Length > 1 ? matches[1] : matches[0];
    }

    public void Dispose() => _timesteps.Dispose();
}
