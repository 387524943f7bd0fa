using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// DPM-Solver++ multistep (arXiv:2211.01095), numerically as diffusers 0.27.2 <c>DPMSolverMultistepScheduler</c>
/// with <c>algorithm_type = "dpmsolver++"</c>: the data-prediction ODE solved in λ = log(α/σ), first order at the
/// start, then second order ("2M") from the last two x̂₀ estimates (midpoint or Heun form), with a first-order last
/// step for short schedules (<c>lower_order_final</c>, fewer than 15 steps), with <c>euler_at_final</c>, and always
/// into a final σ of 0.
/// Keeps a step counter and the previous x̂₀, so one instance runs one trajectory at a time.
/// </summary>
public sealed class DPMSolverMultistepScheduler : IScheduler
{
    public const string ClassName = "DPMSolverMultistepScheduler";

    readonly float[] _alphasCumprod;
    readonly float[] _trainSigmas;
    readonly float[] _logTrainSigmas;
    readonly float[] _lambdas;
    readonly torch.Tensor?[] _modelOutputs;
    float[] _sigmas;
    long[] _timestepValues;
    torch.Tensor _timesteps;
    int _lowerOrderNums;
    int? _stepIndex;
    int? _beginIndex;

    public DPMSolverMultistepScheduler(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        NumTrainTimesteps = config.NumTrainTimesteps ?? NoiseSchedule.DefaultNumTrainTimesteps;
        SolverOrder = config.SolverOrder ?? 2;
        if (SolverOrder is not (1 or 2))
            throw SchedulerConfigException.Unsupported(ClassName, "solver_order", SolverOrder, "1 or 2 (DPM-Solver++ 2M)");
        PredictionType = config.PredictionType ?? "epsilon";
        if (PredictionType is not ("epsilon" or "v_prediction" or "sample"))
            throw SchedulerConfigException.Unsupported(ClassName, "prediction_type", PredictionType, "'epsilon', 'v_prediction' or 'sample'");
        // diffusers maps the retired "deis" to dpmsolver++ (scheduling_dpmsolver_multistep.py:256-257).
        var algorithm = config.AlgorithmType ?? "dpmsolver++";
        if (algorithm is not ("dpmsolver++" or "deis"))
            throw SchedulerConfigException.Unsupported(ClassName, "algorithm_type", algorithm, "'dpmsolver++'");
        AlgorithmType = "dpmsolver++";
        // ...and the UniPC/DEIS solver names to midpoint (lines 262-263).
        var solverType = config.SolverType ?? "midpoint";
        SolverType = solverType is "logrho" or "bh1" or "bh2" ? "midpoint" : solverType;
        if (SolverType is not ("midpoint" or "heun"))
            throw SchedulerConfigException.Unsupported(ClassName, "solver_type", solverType, "'midpoint' or 'heun'");
        LowerOrderFinal = config.LowerOrderFinal ?? true;
        EulerAtFinal = config.EulerAtFinal ?? false;
        UseKarrasSigmas = config.UseKarrasSigmas ?? false;
        if (config.UseLuLambdas == true)
            throw SchedulerConfigException.Unsupported(ClassName, "use_lu_lambdas", true, "false");
        FinalSigmasType = config.FinalSigmasType ?? "zero";
        if (FinalSigmasType is not ("zero" or "sigma_min"))
            throw SchedulerConfigException.Unsupported(ClassName, "final_sigmas_type", FinalSigmasType, "'zero' or 'sigma_min'");
        LambdaMinClipped = config.LambdaMinClipped ?? double.NegativeInfinity;
        if (config.VarianceType is { } varianceType)
            throw SchedulerConfigException.Unsupported(ClassName, "variance_type", varianceType, "null (models that predict only the noise)");
        TimestepSpacing = config.TimestepSpacing ?? "linspace";
        if (TimestepSpacing is not ("leading" or "trailing" or "linspace"))
            throw SchedulerConfigException.Unsupported(ClassName, "timestep_spacing", TimestepSpacing, "'linspace', 'leading' or 'trailing'");
        StepsOffset = config.StepsOffset ?? 0;
        Thresholding = config.Thresholding ?? false;
        DynamicThresholdingRatio = config.DynamicThresholdingRatio ?? 0.995;
        SampleMaxValue = config.SampleMaxValue ?? 1.0;

        _alphasCumprod = NoiseSchedule.AlphasCumprod(config, ClassName);
        if (config.RescaleBetasZeroSnr == true) _alphasCumprod[^1] = MathF.Pow(2, -24);
        // Lines 246-249, float32: α_t = √ᾱ, σ_t = √(1 − ᾱ), λ_t = log α_t − log σ_t, and the Euler-style σ = σ_t/α_t.
        _lambdas = _alphasCumprod.Select(a => MathF.Log(MathF.Sqrt(a)) - MathF.Log(MathF.Sqrt(1f - a))).ToArray();
        _trainSigmas = _alphasCumprod.Select(a => MathF.Sqrt((1f - a) / a)).ToArray();
        _logTrainSigmas = _trainSigmas.Select(s => MathF.Log(s)).ToArray();
        _modelOutputs = new torch.Tensor?[SolverOrder];

        _sigmas = _trainSigmas;
        _timestepValues = Enumerable.Range(0, NumTrainTimesteps).Reverse().Select(t => (long)t).ToArray();
        // Before set_timesteps diffusers exposes the training range as float32 (line 274).
        _timesteps = torch.tensor(_timestepValues.Select(t => (float)t).ToArray(), dtype: torch.float32).DetachFromDisposeScope();
    }

    public SchedulerConfig Config { get; }
    public int NumTrainTimesteps { get; }
    public int? NumInferenceSteps { get; private set; }
    public torch.Tensor Timesteps => _timesteps;
    public double InitNoiseSigma => 1.0;

    public int SolverOrder { get; }
    public string PredictionType { get; }
    public string AlgorithmType { get; }
    public string SolverType { get; }
    public bool LowerOrderFinal { get; }
    public bool EulerAtFinal { get; }
    public bool UseKarrasSigmas { get; }
    public string FinalSigmasType { get; }
    public double LambdaMinClipped { get; }
    public string TimestepSpacing { get; }
    public int StepsOffset { get; }
    public bool Thresholding { get; }
    public double DynamicThresholdingRatio { get; }
    public double SampleMaxValue { get; }

    /// <summary>ᾱ_t of the training schedule (float32).</summary>
    public IReadOnlyList<float> AlphasCumprod => _alphasCumprod;

    /// <summary>σ = √((1−ᾱ)/ᾱ) of each timestep followed by the final σ (0 or σ_min); float32.</summary>
    public IReadOnlyList<float> Sigmas => _sigmas;

    /// <summary>Index of the next step, set on the first <see cref="Step"/>.</summary>
    public int? StepIndex => _stepIndex;

    /// <summary>Starts at schedule index <paramref name="beginIndex"/> instead of looking the first timestep up (img2img).</summary>
    public void SetBeginIndex(int beginIndex) => _beginIndex = beginIndex;

    public void SetTimesteps(int numInferenceSteps, torch.Device? device = null)
    {
        ScheduleChecks.StepCount(ClassName, numInferenceSteps, NumTrainTimesteps);
        var n = numInferenceSteps;
        var T = NumTrainTimesteps;

        // Lines 318-319: drop the timesteps whose λ lies below lambda_min_clipped (searchsorted on the ascending
        // flipped λ, compared in float64 after torch's dtype promotion).
        var clippedIdx = _lambdas.Reverse().Count(l => l < LambdaMinClipped);
        var lastTimestep = T - clippedIdx;

        // Lines 322-337: n + 1 points, the last (0) dropped, for linspace and leading.
        long[] timesteps = TimestepSpacing switch
        {
            "linspace" => NumpyCompat.Linspace(0, lastTimestep - 1, n + 1).Select(v => (long)NumpyCompat.Round(v)).Reverse().Take(n).ToArray(),
            "leading" => Enumerable.Range(0, n + 1).Reverse().Take(n).Select(i => (long)i * (lastTimestep / (n + 1)) + StepsOffset).ToArray(),
            _ => NumpyCompat.Arange(lastTimestep, 0, -((double)T / n)).Select(v => (long)NumpyCompat.Round(v) - 1).ToArray(),
        };

        double[] sigmas;
        if (UseKarrasSigmas)
        {
            // Lines 346-349: Karras levels spanning the whole training range (0.27.2 reads no sigma_min/sigma_max
            // for this class), timesteps mapped back and rounded.
            sigmas = KarrasSigmas.Sigmas(_trainSigmas[0], _trainSigmas[^1], n);
            timesteps = sigmas.Select(s => (long)NumpyCompat.Round(KarrasSigmas.SigmaToT(s, _logTrainSigmas))).ToArray();
        }
        else
        {
            sigmas = timesteps.Select(t => NumpyCompat.InterpOnIndexGrid(t, _trainSigmas)).ToArray();
        }
        ScheduleChecks.InRange(ClassName, TimestepSpacing, n, timesteps.Select(t => (double)t), T);

        // Lines 358-367: the σ after the last step.
        var sigmaLast = FinalSigmasType == "sigma_min" ? MathF.Sqrt((1f - _alphasCumprod[0]) / _alphasCumprod[0]) : 0f;
        _sigmas = [.. sigmas.Select(s => (float)s), sigmaLast];
        _timestepValues = timesteps;
        var replaced = _timesteps;
        _timesteps = torch.tensor(timesteps, dtype: torch.int64, device: device).DetachFromDisposeScope();
        replaced.Dispose();
        NumInferenceSteps = timesteps.Length;
        ResetHistory();
        _stepIndex = null;
        _beginIndex = null;
    }

    /// <summary>DPM-Solver takes the sample unscaled; returns a new handle to <paramref name="sample"/>.</summary>
    public torch.Tensor ScaleModelInput(torch.Tensor sample, torch.Tensor timestep) => sample.alias();

    /// <summary>
    /// One multistep DPM-Solver++ step from σ_i to σ_{i+1}. <see cref="SchedulerStepOutput.PredOriginalSample"/> is
    /// the data prediction x̂₀ the solver integrates. Deterministic (dpmsolver++ adds no noise): the generator is
    /// not used. Computed in float32; the sample comes back in the model output's dtype.
    /// </summary>
    public SchedulerStepOutput Step(torch.Tensor modelOutput, torch.Tensor timestep, torch.Tensor sample, torch.Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        if (NumInferenceSteps is null)
            throw new InvalidOperationException($"{ClassName}: call SetTimesteps(numInferenceSteps) before stepping");
        if (_stepIndex is null) InitStepIndex(timestep);
        var i = _stepIndex!.Value;
        var count = _timestepValues.Length;
        if (i >= count)
            throw new InvalidOperationException($"{ClassName}: all {count} steps are taken; call SetTimesteps to start again");

        // Lines 937-941: first order for the last step of short schedules (stability) and always into σ = 0.
        // (diffusers' lower_order_second only lowers third-order steps, which this class does not take.)
        var lowerOrderFinal = i == count - 1 && (EulerAtFinal || (LowerOrderFinal && count < 15) || FinalSigmasType == "zero");

        using var scope = torch.NewDisposeScope();
        var x = sample.to(torch.float32);
        var x0 = ConvertModelOutput(modelOutput.to(torch.float32), x, _sigmas[i]);

        // Keep x̂₀ for the next step beyond the caller's dispose scope; the oldest estimate leaves the window.
        var evicted = _modelOutputs[0];
        for (var k = 0; k < SolverOrder - 1; k++) _modelOutputs[k] = _modelOutputs[k + 1];
        _modelOutputs[^1] = x0.alias().DetachFromDisposeScope();
        evicted?.Dispose();

        var prev = SolverOrder == 1 || _lowerOrderNums < 1 || lowerOrderFinal
            ? FirstOrderUpdate(x0, x, i)
            : SecondOrderUpdate(_modelOutputs[^1]!, _modelOutputs[^2]!, x, i);
        if (_lowerOrderNums < SolverOrder) _lowerOrderNums++;
        _stepIndex = i + 1;
        return new SchedulerStepOutput(
            prev.to(modelOutput.dtype).MoveToOuterDisposeScope(),
            x0.to(modelOutput.dtype).MoveToOuterDisposeScope());
    }

    /// <summary>The model output as a data prediction x̂₀ at noise level σ (convert_model_output, lines 530-553).</summary>
    torch.Tensor ConvertModelOutput(torch.Tensor output, torch.Tensor x, float sigma)
    {
        var (alphaT, sigmaT) = AlphaSigma(sigma);
        var x0 = PredictionType switch
        {
            "epsilon" => (x - sigmaT * output) / alphaT,
            "v_prediction" => alphaT * x - sigmaT * output,
            _ => output,
        };
        return Thresholding ? DynamicThresholding.Apply(x0, DynamicThresholdingRatio, SampleMaxValue) : x0;
    }

    /// <summary>DPM-Solver++(1), equivalent to DDIM: x_t = (σ_t/σ_s)·x − α_t(e^{−h} − 1)·x̂₀ (lines 628-636).</summary>
    torch.Tensor FirstOrderUpdate(torch.Tensor x0, torch.Tensor x, int i)
    {
        var (alphaT, sigmaT) = AlphaSigma(_sigmas[i + 1]);
        var (alphaS, sigmaS) = AlphaSigma(_sigmas[i]);
        var h = Lambda(alphaT, sigmaT) - Lambda(alphaS, sigmaS);
        return sigmaT / sigmaS * x - alphaT * (MathF.Exp(-h) - 1f) * x0;
    }

    /// <summary>
    /// DPM-Solver++(2M) from the current and previous x̂₀ (lines 697-729): D0 = m0, D1 = (m0 − m1)/r0 with
    /// r0 = h_{prev}/h; midpoint adds −½α_t(e^{−h} − 1)·D1, Heun α_t((e^{−h} − 1)/h + 1)·D1.
    /// </summary>
    torch.Tensor SecondOrderUpdate(torch.Tensor m0, torch.Tensor m1, torch.Tensor x, int i)
    {
        var (alphaT, sigmaT) = AlphaSigma(_sigmas[i + 1]);
        var (alphaS0, sigmaS0) = AlphaSigma(_sigmas[i]);
        var (alphaS1, sigmaS1) = AlphaSigma(_sigmas[i - 1]);
        var lambdaT = Lambda(alphaT, sigmaT);
        var lambdaS0 = Lambda(alphaS0, sigmaS0);
        var lambdaS1 = Lambda(alphaS1, sigmaS1);
        var h = lambdaT - lambdaS0;
        var h0 = lambdaS0 - lambdaS1;
        var r0 = h0 / h;
        var d0 = m0;
        var d1 = 1f / r0 * (m0 - m1);
        var expTerm = MathF.Exp(-h) - 1f;
        return SolverType == "midpoint"
            ? sigmaT / sigmaS0 * x - alphaT * expTerm * d0 - 0.5f * (alphaT * expTerm) * d1
            : sigmaT / sigmaS0 * x - alphaT * expTerm * d0 + alphaT * (expTerm / h + 1f) * d1;
    }

    /// <summary>α_t = 1/√(σ² + 1), σ_t = σ·α_t: the VP coefficients of an Euler-style σ (float32, line 443).</summary>
    static (float Alpha, float Sigma) AlphaSigma(float sigma)
    {
        var alpha = 1f / MathF.Sqrt(sigma * sigma + 1f);
        return (alpha, sigma * alpha);
    }

    static float Lambda(float alpha, float sigma) => MathF.Log(alpha) - MathF.Log(sigma);

    void InitStepIndex(torch.Tensor timestep)
    {
        ArgumentNullException.ThrowIfNull(timestep);
        _stepIndex = _beginIndex ?? IndexForTimestep(timestep);
    }

    /// <summary>
    /// Position of <paramref name="timestep"/> in the schedule: the second match if it repeats, the last step if it
    /// is absent (diffusers' index_for_timestep, lines 863-880).
    /// </summary>
    int IndexForTimestep(torch.Tensor timestep)
    {
        var matches = ScheduleChecks.TimestepPositions(ClassName, timestep, _timestepValues);
        return matches.Length switch
        {
            0 => _timestepValues.Length - 1,
            1 => matches[0],
            _ => matches[1],
        };
    }

    void ResetHistory()
    {
        for (var k = 0; k < _modelOutputs.Length; k++)
        {
            _modelOutputs[k]?.Dispose();
            _modelOutputs[k] = null;
        }
        _lowerOrderNums = 0;
    }

    public void Dispose()
    {
        ResetHistory();
        _timesteps.Dispose();
    }
}
