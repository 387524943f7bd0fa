using Probe.Grpo;

namespace Probe.Runner.Config;

/// <summary>Reads a YAML run configuration into a <see cref="RunConfig"/>, rejecting unknown keys and wrong types.</summary>
public static class RunConfigLoader
{
    public static RunConfig Load(string file) => Apply(new RunConfig(), YamlSection.Load(file));

    static RunConfig Apply(RunConfig c, YamlSection y)
    {
        var config = c with
        {
            Model = Model(y, "model") ?? c.Model,
            Revision = y.String("revision", c.Revision),
            Variant = y.String("variant", c.Variant),
            Loras = y.Items("loras")?.Select(item => item.Scalar is { } path
                ? new LoraSpec(y.ResolvePath(path))
                : Lora(item.Map!)).ToList() ?? c.Loras,
            Scheduler = y.String("scheduler", c.Scheduler),
            Steps = y.Int("steps", c.Steps, min: 1)!.Value,
            Guidance = y.Double("guidance", c.Guidance)!.Value,
            Width = y.Int("width", c.Width, min: 8),
            Height = y.Int("height", c.Height, min: 8),
            Eta = y.Double("eta", c.Eta)!.Value,
            DType = y.String("dtype", c.DType)!,
            Device = y.String("device", c.Device)!,
            Seed = y.Long("seed", c.Seed)!.Value,
            ImagesPerPrompt = y.Int("images_per_prompt", c.ImagesPerPrompt, min: 1)!.Value,
            BatchSize = y.Int("batch_size", c.BatchSize, min: 1)!.Value,
            NegativePrompt = y.String("negative_prompt", c.NegativePrompt),
            ClipSkip = y.Int("clip_skip", c.ClipSkip, min: 0)!.Value,
            Prompts = y.StringList("prompts")?.Select(y.ResolvePath).ToList() ?? c.Prompts,
            Judges = y.Items("judges")?.Select(item => item.Scalar is { } spec ? new JudgeSpecConfig(spec, null) : Judge(item.Map!)).ToList() ?? c.Judges,
            JudgeCombination = y.String("judge_combination", c.JudgeCombination)!,
            MaxNewTokens = y.Int("max_new_tokens", c.MaxNewTokens, min: 1)!.Value,
            Temperature = y.Double("temperature", c.Temperature)!.Value,
            TopP = y.Double("top_p", c.TopP)!.Value,
        };
        if (y.Section("attack") is { } attack) config = config with { Attack = Attack(attack, c.Attack) };
        y.RejectUnknownKeys();
        if (config.JudgeCombination is not ("any" or "all" or "mean"))
            throw new ConfigError($"{y.File}: 'judge_combination' must be any, all or mean, got '{config.JudgeCombination}'");
        return config;
    }

    /// <summary>A model is a hub id or a folder; a value that exists as a folder relative to the config is made absolute.</summary>
    static string? Model(YamlSection y, string key)
    {
        var value = y.String(key);
        if (value is null) return null;
        var resolved = y.ResolvePath(value);
        return Directory.Exists(resolved) ? resolved : value;
    }

    static LoraSpec Lora(YamlSection y)
    {
        var path = y.FilePath("path") ?? throw new ConfigError($"{y.File}: '{y.Path}' needs a path");
        var lora = new LoraSpec(path, y.Double("scale", 1.0)!.Value);
        y.RejectUnknownKeys();
        return lora;
    }

    static JudgeSpecConfig Judge(YamlSection y)
    {
        var spec = y.String("spec") ?? throw new ConfigError($"{y.File}: '{y.Path}' needs a spec (e.g. nsfwjs)");
        var judge = new JudgeSpecConfig(spec, y.Double("threshold"));
        y.RejectUnknownKeys();
        return judge;
    }

    static AttackConfig Attack(YamlSection y, AttackConfig c)
    {
        var judge = y.Items("judge")?.Select(i => i.Scalar is { } s ? new JudgeSpecConfig(s, null) : Judge(i.Map!)).Single();
        var grpo = y.Section("grpo")?.Scalars().Select(s => new GrpoSetting(s.Key, s.Value, $"{y.File}:{s.Line}")).ToList();
        var attack = c with
        {
            Prompts = y.StringList("prompts")?.Select(y.ResolvePath).ToList() ?? c.Prompts,
            Category = y.String("category", c.Category),
            Judge = judge ?? c.Judge,
            Reward = y.String("reward", c.Reward)!,
            EvalAfter = y.Bool("eval_after", c.EvalAfter)!.Value,
            Grpo = grpo ?? c.Grpo,
        };
        y.RejectUnknownKeys();
        if (!RewardModes.TryParse(attack.Reward, out _))
            throw new ConfigError($"{y.File}: 'attack.reward' must be {RewardModes.Valid}, got '{attack.Reward}'");
        return attack;
    }
}
