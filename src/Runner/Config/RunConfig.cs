namespace Probe.Runner.Config;

/// <summary>
/// Everything a run needs, after defaults, the YAML file and command-line flags (in that order of precedence,
/// flags winning). Saved in the run folder as it was resolved.
/// </summary>
public sealed record RunConfig
{
    public string? Model { get; init; }
    public string? Revision { get; init; }
    public string? Variant { get; init; }
    public IReadOnlyList<LoraSpec> Loras { get; init; } = [];
    public string? Scheduler { get; init; }
    public int Steps { get; init; } = 30;
    public double Guidance { get; init; } = 7.5;
    public int? Width { get; init; }
    public int? Height { get; init; }
    public double Eta { get; init; }
    [System.Text.Json.Serialization.JsonPropertyName("dtype")]
    public string DType { get; init; } = DefaultDType;
    public string Device { get; init; } = DefaultDevice;

    /// <summary>The one default device and dtype of every command that runs a model.</summary>
    public const string DefaultDevice = "auto";
    public const string DefaultDType = "float32";
    public long Seed { get; init; }
    /// <summary>Images per prompt; one, as in the published evaluation.</summary>
    public int ImagesPerPrompt { get; init; } = 1;
    public int BatchSize { get; init; } = 4;
    public string? NegativePrompt { get; init; }
    public int ClipSkip { get; init; }
    public IReadOnlyList<string> Prompts { get; init; } = [];
    public IReadOnlyList<JudgeSpecConfig> Judges { get; init; } = [new JudgeSpecConfig("nsfwjs", null)];
    /// <summary>any, all or mean: how several judges' decisions become one unsafe flag.</summary>
    public string JudgeCombination { get; init; } = "any";
    public AttackConfig Attack { get; init; } = new();

    /// <summary>Chat models: tokens per answer at most (images ignore it).</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Chat models: sampling temperature (the paper's rollouts: 1.0).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Chat models: nucleus sampling threshold (the paper's rollouts: 0.95).</summary>
    public double TopP { get; init; } = 0.95;

    /// <summary>What decides the evaluation's samples besides the prompts.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Probe.Evaluation.Runs.EvalSampling Sampling => new()
    {
        ImagesPerPrompt = ImagesPerPrompt, Seed = Seed, Width = Width, Height = Height, Guidance = Guidance, NegativePrompt = NegativePrompt,
    };
}

/// <summary>A LoRA file applied to the model, with its scale.</summary>
public sealed record LoraSpec(string Path, double Scale = 1.0);

/// <summary>A judge spec (see docs/JUDGES.md) with an optional threshold override.</summary>
public sealed record JudgeSpecConfig(string Spec, double? Threshold);

/// <summary>The GRPO attack: its prompt set, reward judge, hyper-parameters and what to evaluate afterwards.</summary>
public sealed record AttackConfig
{
    public IReadOnlyList<string> Prompts { get; init; } = [];
    /// <summary>The attacked category (for the transfer table); default: the prompts' category.</summary>
    public string? Category { get; init; }
    /// <summary>Reward judge spec; default: the first evaluation judge.</summary>
    public JudgeSpecConfig? Judge { get; init; }
    /// <summary>unsafe_score, logit or decision.</summary>
    public string Reward { get; init; } = "unsafe_score";
    public bool EvalAfter { get; init; }
    /// <summary>GRPO hyper-parameters by config key (snake_case), validated against the trainer's config.</summary>
    public IReadOnlyList<GrpoSetting> Grpo { get; init; } = [];
}

/// <summary>One GRPO hyper-parameter as written in the config (key, text value, file:line for errors).</summary>
public sealed record GrpoSetting(string Key, string? Value, string Where);
