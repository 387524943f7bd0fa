using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// A diffusers <c>scheduler_config.json</c>: the union of the keys the DDIM, Euler discrete and DPM-Solver multistep
/// schedulers take. A key absent from the file stays null and each scheduler applies its own diffusers default, which
/// is how <c>Scheduler.from_config(pipe.scheduler.config)</c> behaves; keys no scheduler knows (e.g.
/// <c>skip_prk_steps</c>, <c>_diffusers_version</c>) are ignored as diffusers ignores them.
/// </summary>
public sealed record SchedulerConfig
{
    /// <summary>The diffusers class that wrote the file (<c>DDIMScheduler</c>, …); picks the default scheduler.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; }

    [JsonPropertyName("num_train_timesteps")] public int? NumTrainTimesteps { get; init; }
    [JsonPropertyName("beta_start")] public double? BetaStart { get; init; }
    [JsonPropertyName("beta_end")] public double? BetaEnd { get; init; }
    /// <summary><c>linear</c>, <c>scaled_linear</c> or <c>squaredcos_cap_v2</c>.</summary>
    [JsonPropertyName("beta_schedule")] public string? BetaSchedule { get; init; }
    /// <summary>Explicit betas; when present they replace beta_start / beta_end / beta_schedule.</summary>
    [JsonPropertyName("trained_betas")] public IReadOnlyList<double>? TrainedBetas { get; init; }
    [JsonPropertyName("rescale_betas_zero_snr")] public bool? RescaleBetasZeroSnr { get; init; }
    /// <summary><c>epsilon</c>, <c>v_prediction</c> or <c>sample</c>.</summary>
    [JsonPropertyName("prediction_type")] public string? PredictionType { get; init; }
    /// <summary><c>leading</c>, <c>trailing</c> or <c>linspace</c> (Table 2 of arXiv:2305.08891).</summary>
    [JsonPropertyName("timestep_spacing")] public string? TimestepSpacing { get; init; }
    [JsonPropertyName("steps_offset")] public int? StepsOffset { get; init; }

    // DDIM
    [JsonPropertyName("clip_sample")] public bool? ClipSample { get; init; }
    [JsonPropertyName("clip_sample_range")] public double? ClipSampleRange { get; init; }
    [JsonPropertyName("set_alpha_to_one")] public bool? SetAlphaToOne { get; init; }

    // DDIM and DPM-Solver: dynamic thresholding of the predicted x0 (Imagen)
    [JsonPropertyName("thresholding")] public bool? Thresholding { get; init; }
    [JsonPropertyName("dynamic_thresholding_ratio")] public double? DynamicThresholdingRatio { get; init; }
    [JsonPropertyName("sample_max_value")] public double? SampleMaxValue { get; init; }

    // Euler discrete (use_karras_sigmas is shared with DPM-Solver)
    [JsonPropertyName("interpolation_type")] public string? InterpolationType { get; init; }
    [JsonPropertyName("use_karras_sigmas")] public bool? UseKarrasSigmas { get; init; }
    [JsonPropertyName("sigma_min")] public double? SigmaMin { get; init; }
    [JsonPropertyName("sigma_max")] public double? SigmaMax { get; init; }
    [JsonPropertyName("timestep_type")] public string? TimestepType { get; init; }

    // DPM-Solver multistep
    [JsonPropertyName("solver_order")] public int? SolverOrder { get; init; }
    [JsonPropertyName("algorithm_type")] public string? AlgorithmType { get; init; }
    [JsonPropertyName("solver_type")] public string? SolverType { get; init; }
    [JsonPropertyName("lower_order_final")] public bool? LowerOrderFinal { get; init; }
    [JsonPropertyName("euler_at_final")] public bool? EulerAtFinal { get; init; }
    [JsonPropertyName("use_lu_lambdas")] public bool? UseLuLambdas { get; init; }
    [JsonPropertyName("final_sigmas_type")] public string? FinalSigmasType { get; init; }
    [JsonPropertyName("lambda_min_clipped")] public double? LambdaMinClipped { get; init; }
    [JsonPropertyName("variance_type")] public string? VarianceType { get; init; }

    static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads <paramref name="path"/>; a malformed file or a value of the wrong type names the file.</summary>
    public static SchedulerConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SchedulerConfigException($"{path}: cannot be read ({e.Message})", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses scheduler_config.json text; <paramref name="source"/> names it in errors.</summary>
    public static SchedulerConfig Parse(string json, string source = "scheduler_config.json")
    {
        try
        {
            return JsonSerializer.Deserialize<SchedulerConfig>(QuoteNonFiniteLiterals(json), Options)
                   ?? throw new SchedulerConfigException($"{source}: is null, expected a JSON object");
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? "" : $" at {e.Path}";
            throw new SchedulerConfigException($"{source}: not a valid scheduler config{where} ({e.Message})", e);
        }
    }

    /// <summary>
    /// Python's json module writes float('-inf') as the bare literal <c>-Infinity</c> (diffusers saves
    /// DPM-Solver's default <c>lambda_min_clipped</c> that way), which is not JSON. Outside strings, bare
    /// <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> are quoted so the named-literal number handling reads them.
    /// </summary>
    static string QuoteNonFiniteLiterals(string json)
    {
        var sb = new StringBuilder(json.Length + 16);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < json.Length) sb.Append(json[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"')
            {
                inString = true;
                sb.Append(c);
                continue;
            }
            var literal = StartsWithLiteral(json, i);
            if (literal is not null)
            {
                sb.Append('"').Append(literal).Append('"');
                i += literal.Length - 1;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    static string? StartsWithLiteral(string json, int i)
    {
        foreach (var literal in (ReadOnlySpan<string>)["-Infinity", "Infinity", "NaN"])
            if (string.CompareOrdinal(json, i, literal, 0, literal.Length) == 0)
                return literal;
        return null;
    }
}
