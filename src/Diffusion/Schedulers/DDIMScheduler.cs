using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// Denoising diffusion implicit models (arXiv:2010.02502), numerically as diffusers 0.27.2 <c>DDIMScheduler</c>, with
/// the log-probability of each stochastic (η &gt; 0) step as ddpo-pytorch's <c>ddim_step_with_logprob</c> defines it.
/// Stateless apart from the chosen timesteps: <see cref="Step(torch.Tensor, torch.Tensor, torch.Tensor, double, torch.Tensor?, torch.Generator?, torch.Tensor?, bool)"/>
/// never changes the scheduler, so recorded trajectories can be re-scored at any time.
/// </summary>
public sealed class DDIMScheduler : IScheduler
{
    public const string ClassName = "DDIMScheduler";

    readonly float[] _alphasCumprod;
    readonly float _finalAlphaCumprod;
    torch.Tensor _timesteps;

    public DDIMScheduler(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        NumTrainTimesteps = config.NumTrainTimesteps ?? NoiseSchedule.DefaultNumTrainTimesteps;
        PredictionType = config.PredictionType ?? "epsilon";
        if (PredictionType is not ("epsilon" or "v_prediction" or "sample"))
            throw SchedulerConfigException.Unsupported(ClassName, "prediction_type", PredictionType, "'epsilon', 'v_prediction' or 'sample'");
        TimestepSpacing = config.TimestepSpacing ?? "leading";
        if (TimestepSpacing is not ("leading" or "trailing" or "linspace"))
            throw SchedulerConfigException.Unsupported(ClassName, "timestep_spacing", TimestepSpacing, "'leading', 'trailing' or 'linspace'");
        StepsOffset = config.StepsOffset ?? 0;
        ClipSample = config.ClipSample ?? true;
        ClipSampleRange = config.ClipSampleRange ?? 1.0;
        SetAlphaToOne = config.SetAlphaToOne ?? true;
        Thresholding = config.Thresholding ?? false;
        DynamicThresholdingRatio = config.DynamicThresholdingRatio ?? 0.995;
        SampleMaxValue = config.SampleMaxValue ?? 1.0;

        _alphasCumprod = NoiseSchedule.AlphasCumprod(config, ClassName);
        // The step into t < 0 has no ᾱ_{t-1}: 1 (a clean sample) or ᾱ_0, as set_alpha_to_one says.
        _finalAlphaCumprod = SetAlphaToOne ? 1f : _alphasCumprod[0];
        // Before set_timesteps diffusers exposes the whole training range, highest first.
        _timesteps = torch.arange(NumTrainTimesteps - 1, -1, -1, dtype: torch.int64).DetachFromDisposeScope();
    }

    public SchedulerConfig Config { get; }
    public int NumTrainTimesteps { get; }
    public int? NumInferenceSteps { get; private set; }
    public torch.Tensor Timesteps => _timesteps;
    public double InitNoiseSigma => 1.0;

    public string PredictionType { get; }
    public string TimestepSpacing { get; }
    public int StepsOffset { get; }
    public bool ClipSample { get; }
    public double ClipSampleRange { get; }
    public bool SetAlphaToOne { get; }
    public bool Thresholding { get; }
    public double DynamicThresholdingRatio { get; }
    public double SampleMaxValue { get; }

    /// <summary>ᾱ_t of the training schedule, float32, exactly as diffusers' <c>alphas_cumprod</c>.</summary>
    public IReadOnlyList<float> AlphasCumprod => _alphasCumprod;

    /// <summary>ᾱ used for the step that leaves the schedule (prev timestep &lt; 0).</summary>
    public float FinalAlphaCumprod => _finalAlphaCumprod;

    /// <summary>Distance between consecutive timesteps, <c>num_train_timesteps // num_inference_steps</c>.</summary>
    public int StepRatio => NumTrainTimesteps / (NumInferenceSteps ?? throw NotSet());

    public void SetTimesteps(int numInferenceSteps, torch.Device? device = null)
    {
        ScheduleChecks.StepCount(ClassName, numInferenceSteps, NumTrainTimesteps);
        var timesteps = ComputeTimesteps(numInferenceSteps);
        ScheduleChecks.InRange(ClassName, TimestepSpacing, numInferenceSteps, timesteps.Select(t => (double)t), NumTrainTimesteps);
        var replaced = _timesteps;
        _timesteps = torch.tensor(timesteps, dtype: torch.int64, device: device).DetachFromDisposeScope();
        replaced.Dispose();
        NumInferenceSteps = numInferenceSteps;
    }

    /// <summary>diffusers scheduling_ddim.py set_timesteps, lines 316-333.</summary>
    long[] ComputeTimesteps(int n)
    {
        var T = NumTrainTimesteps;
        switch (TimestepSpacing)
        {
            case "linspace":
                // np.linspace(0, T - 1, n).round()[::-1]
                return NumpyCompat.Linspace(0, T - 1, n).Select(v => (long)NumpyCompat.Round(v)).Reverse().ToArray();
            case "leading":
            {
                // (np.arange(0, n) * (T // n)).round()[::-1] + steps_offset
                var ratio = T / n;
                return Enumerable.Range(0, n).Select(i => (long)i * ratio + StepsOffset).Reverse().ToArray();
            }
            default:
            {
                // np.round(np.arange(T, 0, -T / n)) - 1
                var ratio = (double)T / n;
                return NumpyCompat.Arange(T, 0, -ratio).Select(v => (long)NumpyCompat.Round(v) - 1).ToArray();
            }
        }
    }

    /// <summary>DDIM does not scale the model input; returns a new handle to <paramref name="sample"/>.</summary>
    public torch.Tensor ScaleModelInput(torch.Tensor sample, torch.Tensor timestep) => sample.alias();

    /// <summary>The deterministic (η = 0) DDIM step, as diffusers' default.</summary>
    public DDIMStepOutput Step(torch.Tensor modelOutput, torch.Tensor timestep, torch.Tensor sample, torch.Generator? generator = null) =>
        Step(modelOutput, timestep, sample, eta: 0.0, generator: generator);

    SchedulerStepOutput IScheduler.Step(torch.Tensor modelOutput, torch.Tensor timestep, torch.Tensor sample, torch.Generator? generator) =>
        Step(modelOutput, timestep, sample, generator);

    /// <summary>
    /// One DDIM step from <paramref name="timestep"/> to <c>timestep − StepRatio</c> (formulas 12 and 16 of the DDIM
    /// paper, as diffusers computes them in float32):
    /// x̂₀ from the model output (epsilon, v or sample prediction, then clipping or thresholding),
    /// σ_t = η·√((1−ᾱ_prev)/(1−ᾱ_t) · (1 − ᾱ_t/ᾱ_prev)),
    /// mean = √ᾱ_prev·x̂₀ + √(1 − ᾱ_prev − σ_t²)·ε̂, and x_{t−1} = mean + σ_t·z.
    /// </summary>
    /// <param name="modelOutput">UNet output for <paramref name="sample"/> (after guidance).</param>
    /// <param name="timestep">Integer timestep: a scalar, or one per batch element ([B], as ddpo-pytorch passes it).</param>
    /// <param name="sample">x_t, [B, …].</param>
    /// <param name="eta">η ≥ 0: 0 is deterministic DDIM, 1 matches DDPM's posterior variance.</param>
    /// <param name="varianceNoise">z for η &gt; 0 (unit Gaussian, sample-shaped); otherwise drawn from <paramref name="generator"/>.</param>
    /// <param name="generator">Random source for z when no noise or prev sample is given.</param>
    /// <param name="prevSample">A given x_{t−1} (η &gt; 0): returned as the step's sample and scored by <see cref="DDIMStepOutput.LogProb"/>.</param>
    /// <param name="useClippedModelOutput">Re-derive ε̂ from the clipped x̂₀ (GLIDE).</param>
    /// <remarks>
    /// Arithmetic is float32 (the model output and sample are upcast, as ddpo-pytorch's broadcast schedule tensors
    /// make it); <see cref="SchedulerStepOutput.PrevSample"/> and <see cref="SchedulerStepOutput.PredOriginalSample"/>
    /// come back in the sample's dtype. Everything stays differentiable with respect to <paramref name="modelOutput"/>.
    /// </remarks>
    public DDIMStepOutput Step(torch.Tensor modelOutput, torch.Tensor timestep, torch.Tensor sample, double eta,
        torch.Tensor? varianceNoise = null, torch.Generator? generator = null, torch.Tensor? prevSample = null,
        bool useClippedModelOutput = false)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(timestep);
        ArgumentNullException.ThrowIfNull(sample);
        if (NumInferenceSteps is null) throw NotSet();
        if (!(eta >= 0) || double.IsInfinity(eta))
            throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be a finite number ≥ 0");
        var sources = (varianceNoise is null ? 0 : 1) + (generator is null ? 0 : 1) + (prevSample is null ? 0 : 1);
        if (sources > 1)
            throw new ArgumentException("give at most one of varianceNoise, generator and prevSample: each decides x_{t-1}");
        if (prevSample is not null && eta == 0)
            throw new ArgumentException("prevSample is scored by a log-probability, which needs eta > 0 (with eta = 0 the step is deterministic)", nameof(prevSample));
        if (!modelOutput.shape.SequenceEqual(sample.shape))
            throw new ArgumentException($"modelOutput shape [{string.Join(",", modelOutput.shape)}] differs from sample shape [{string.Join(",", sample.shape)}]", nameof(modelOutput));

        using var scope = torch.NewDisposeScope();
        var device = sample.device;
        var ts = ReadTimesteps(timestep, sample.shape[0]);
        var stepRatio = StepRatio;

        // Per-timestep scalars in float32 IEEE arithmetic, the same operations diffusers applies to its 0-d float32
        // tensors (x ** 0.5 is a correctly rounded square root there too), so results agree to the bit.
        var n = ts.Length;
        var alphaProdT = new float[n];
        var alphaProdTPrev = new float[n];
        var variance = new float[n];
        var sqrtAlphaT = new float[n];
        var sqrtBetaT = new float[n];
        var sqrtAlphaPrev = new float[n];
        var stdDevT = new float[n];
        var directionCoef = new float[n];
        var etaF = (float)eta;
        for (var i = 0; i < n; i++)
        {
            var t = ts[i];
            var prevT = t - stepRatio;
            var a = _alphasCumprod[t];
            var aPrev = prevT >= 0 ? _alphasCumprod[prevT] : _finalAlphaCumprod;
            var betaT = 1f - a;
            var betaPrev = 1f - aPrev;
            alphaProdT[i] = a;
            alphaProdTPrev[i] = aPrev;
            variance[i] = betaPrev / betaT * (1f - a / aPrev);
            stdDevT[i] = etaF * MathF.Sqrt(variance[i]);
            sqrtAlphaT[i] = MathF.Sqrt(a);
            sqrtBetaT[i] = MathF.Sqrt(betaT);
            sqrtAlphaPrev[i] = MathF.Sqrt(aPrev);
            directionCoef[i] = MathF.Sqrt(1f - aPrev - stdDevT[i] * stdDevT[i]);
        }

        var broadcast = new long[sample.dim()];
        Array.Fill(broadcast, 1L);
        broadcast[0] = n;
        torch.Tensor Column(float[] v) => torch.tensor(v, dtype: torch.float32, device: device).reshape(broadcast);

        var x = sample.to(torch.float32);
        var output = modelOutput.to(torch.float32);
        var cAlpha = Column(sqrtAlphaT);
        var cBeta = Column(sqrtBetaT);

        torch.Tensor predOriginal, predEpsilon;
        switch (PredictionType)
        {
            case "epsilon":
                predOriginal = (x - cBeta * output) / cAlpha;
                predEpsilon = output;
                break;
            case "sample":
                predOriginal = output;
                predEpsilon = (x - cAlpha * predOriginal) / cBeta;
                break;
            default: // v_prediction (Imagen Video, section 2.4)
                predOriginal = cAlpha * x - cBeta * output;
                predEpsilon = cAlpha * output + cBeta * x;
                break;
        }

        if (Thresholding)
            predOriginal = DynamicThresholding.Apply(predOriginal, DynamicThresholdingRatio, SampleMaxValue);
        else if (ClipSample)
            predOriginal = predOriginal.clamp(-ClipSampleRange, ClipSampleRange);

        if (useClippedModelOutput)
            predEpsilon = (x - cAlpha * predOriginal) / cBeta;

        var std = Column(stdDevT);
        var mean = Column(sqrtAlphaPrev) * predOriginal + Column(directionCoef) * predEpsilon;

        torch.Tensor prev;
        torch.Tensor? logProb = null;
        if (eta > 0)
        {
            if (prevSample is not null)
            {
                CheckShape(prevSample, sample, nameof(prevSample));
                prev = prevSample.to(torch.float32);
            }
            else
            {
                torch.Tensor noise;
                if (varianceNoise is not null)
                {
                    CheckShape(varianceNoise, sample, nameof(varianceNoise));
                    noise = varianceNoise.to(torch.float32).to(device);
                }
                else
                {
                    noise = torch.randn(sample.shape, dtype: torch.float32, device: device, generator: generator);
                }
                prev = mean + std * noise;
            }
            logProb = DDIMLogProb.Gaussian(prev, mean, std);
        }
        else
        {
            prev = mean;
        }

        var vector = new[] { (long)n };
        return new DDIMStepOutput(
            PrevSample: prev.to(sample.dtype).MoveToOuterDisposeScope(),
            PredOriginalSample: predOriginal.to(sample.dtype).MoveToOuterDisposeScope(),
            PrevSampleMean: mean.MoveToOuterDisposeScope(),
            StdDevT: std.MoveToOuterDisposeScope(),
            LogProb: logProb?.MoveToOuterDisposeScope(),
            AlphaProdT: torch.tensor(alphaProdT, vector, dtype: torch.float32, device: device).MoveToOuterDisposeScope(),
            AlphaProdTPrev: torch.tensor(alphaProdTPrev, vector, dtype: torch.float32, device: device).MoveToOuterDisposeScope(),
            Variance: torch.tensor(variance, vector, dtype: torch.float32, device: device).MoveToOuterDisposeScope());
    }

    /// <summary>A scalar or [B] integer timestep tensor as indices into the training schedule.</summary>
    int[] ReadTimesteps(torch.Tensor timestep, long batch)
    {
        var count = timestep.numel();
        if (count != 1 && (timestep.dim() != 1 || count != batch))
            throw new ArgumentException($"timestep must be a scalar or have shape [{batch}] (one per sample); got [{string.Join(",", timestep.shape)}]", nameof(timestep));
        using var values = timestep.detach().to(torch.float64).cpu();
        var result = new int[count];
        var i = 0;
        foreach (var v in values.data<double>())
        {
            if (v != Math.Floor(v) || v < 0 || v > NumTrainTimesteps - 1)
                throw new ArgumentOutOfRangeException(nameof(timestep), v, $"{ClassName}: timesteps are integers in [0, {NumTrainTimesteps - 1}]");
            result[i++] = (int)v;
        }
        return result;
    }

    static void CheckShape(torch.Tensor t, torch.Tensor sample, string name)
    {
        if (!t.shape.SequenceEqual(sample.shape))
            throw new ArgumentException($"{name} shape [{string.Join(",", t.shape)}] differs from sample shape [{string.Join(",", sample.shape)}]", name);
    }

    static InvalidOperationException NotSet() =>
        new($"{ClassName}: call SetTimesteps(numInferenceSteps) before stepping (the step size depends on it)");

    public void Dispose() => _timesteps.Dispose();
}
