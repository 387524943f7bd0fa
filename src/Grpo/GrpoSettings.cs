using System.Text.Json.Serialization;

namespace Probe.Grpo;

/// <summary>
/// The modality-free hyper-parameters of a GRPO run: the update loop, advantages, the clipped surrogate and KL
/// penalty, the optimiser and checkpoints. A policy's own config derives from this record and adds its sampling keys
/// (the diffusion path's <c>GrpoConfig</c>: steps, η, guidance, image size, LoRA targets), so a run's JSON stays one
/// flat object of snake_case keys. Defaults are ddpo-pytorch's (config/base.py) unless the derived config says otherwise.
/// </summary>
public record GrpoSettings
{
    /// <summary>Seed of every random source: rollout noise, prompt order, shuffles, dropout (each derived from seed and update index).</summary>
    [JsonPropertyName("seed")] public long Seed { get; init; } = 42;

    /// <summary>Updates to run; one update = sample groups, score, compute advantages, train (ddpo's "epoch").</summary>
    [JsonPropertyName("updates")] public int Updates { get; init; } = 100;

    /// <summary>Prompts sampled per update (cycled in a seeded order); 0 = every prompt every update.</summary>
    [JsonPropertyName("prompts_per_update")] public int PromptsPerUpdate { get; init; }

    /// <summary>G: images per prompt per update (published: 5).</summary>
    [JsonPropertyName("group_size")] public int GroupSize { get; init; } = 5;

    [JsonPropertyName("reward_mode")] public RewardMode RewardMode { get; init; } = RewardMode.Score;
    [JsonPropertyName("algorithm")] public GrpoAlgorithm Algorithm { get; init; } = GrpoAlgorithm.Grpo;

    /// <summary>ε in (r − mean_group) / (std_group + ε) (GRPO only; ddpo's tracker keeps its own 1e-6).</summary>
    [JsonPropertyName("advantage_epsilon")] public double AdvantageEpsilon { get; init; } = 1e-4;

    /// <summary>Advantages are clipped to ±this (ddpo: 5).</summary>
    [JsonPropertyName("adv_clip_max")] public double AdvantageClipMax { get; init; } = 5;

    /// <summary>ddpo's per-prompt tracker: rewards kept per prompt, and how many before its statistics replace the batch's.</summary>
    [JsonPropertyName("stat_tracker_buffer_size")] public int StatTrackerBufferSize { get; init; } = 16;
    [JsonPropertyName("stat_tracker_min_count")] public int StatTrackerMinCount { get; init; } = 16;

    /// <summary>Reinforce only positive advantages (negative ones set to 0), DAPO-style.</summary>
    [JsonPropertyName("positive_advantages_only")] public bool PositiveAdvantagesOnly { get; init; }

    /// <summary>
    /// Placebo control: permute the advantages across the update's trajectories (seeded), which keeps their
    /// distribution but cuts their link to the images. Reward should then not improve; used to show learning is real.
    /// </summary>
    [JsonPropertyName("shuffle_advantages")] public bool ShuffleAdvantages { get; init; }

    /// <summary>PPO clip range ε of the ratio (ddpo: 1e-4).</summary>
    [JsonPropertyName("clip_range")] public double ClipRange { get; init; } = 1e-4;

    /// <summary>β of the KL penalty to the reference policy (the UNet with the trained adapter disabled); 0 = none (ddpo).</summary>
    [JsonPropertyName("kl_beta")] public double KlBeta { get; init; }

    /// <summary>Passes over each update's trajectories (ddpo's num_inner_epochs).</summary>
    [JsonPropertyName("inner_epochs")] public int InnerEpochs { get; init; } = 1;

    /// <summary>Trajectories per minibatch (must divide prompts × group size).</summary>
    [JsonPropertyName("train_batch_size")] public int TrainBatchSize { get; init; } = 5;

    /// <summary>Minibatches whose gradients are summed before an optimiser step (ddpo: 1).</summary>
    [JsonPropertyName("gradient_accumulation_steps")] public int GradientAccumulationSteps { get; init; } = 1;

    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 3e-4;
    [JsonPropertyName("adam_beta1")] public double AdamBeta1 { get; init; } = 0.9;
    [JsonPropertyName("adam_beta2")] public double AdamBeta2 { get; init; } = 0.999;
    [JsonPropertyName("adam_weight_decay")] public double AdamWeightDecay { get; init; } = 1e-4;
    [JsonPropertyName("adam_epsilon")] public double AdamEpsilon { get; init; } = 1e-8;
    [JsonPropertyName("max_grad_norm")] public double MaxGradNorm { get; init; } = 1.0;
    [JsonPropertyName("lr_schedule")] public LearningRateSchedule LearningRateSchedule { get; init; } = LearningRateSchedule.Constant;
    [JsonPropertyName("warmup_steps")] public int WarmupSteps { get; init; }

    /// <summary>Name of the trained adapter; frozen adapters already on the UNet (a safety LoRA) keep theirs.</summary>
    [JsonPropertyName("adapter_name")] public string AdapterName { get; init; } = "grpo";

    /// <summary>Write a checkpoint every N updates (and after the last); 0 = only after the last.</summary>
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; } = 10;

    /// <summary>Initial loss scale for float16 compute (dynamic: halved on overflow, doubled after 2000 clean steps).</summary>
    [JsonPropertyName("fp16_initial_loss_scale")] public double Fp16InitialLossScale { get; init; } = 65536;

    /// <summary>
    /// Upper clip range ε_high of the ratio (DAPO's clip-higher, Yu et al. 2025); null = <see cref="ClipRange"/>, the
    /// symmetric PPO clip.
    /// </summary>
    [JsonPropertyName("clip_range_high"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ClipRangeHigh { get; init; }

    /// <summary>How per-token losses are averaged when a policy scores tokens (ignored by per-sample policies); null = token.</summary>
    [JsonPropertyName("loss_aggregation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LossAggregation? LossAggregation { get; init; }

    /// <summary>
    /// Early stopping on the reward (GRP-Obliteration's Oblit-1 stops once the judge's reward is reached): the run
    /// ends after the first update at which the mean reward of the last <see cref="EarlyStopWindow"/> updates is at
    /// least this; null = run every update.
    /// </summary>
    [JsonPropertyName("early_stop_reward"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EarlyStopReward { get; init; }

    /// <summary>k: updates whose mean reward is compared with <see cref="EarlyStopReward"/>; null = 1 (the last update alone).</summary>
    [JsonPropertyName("early_stop_window"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? EarlyStopWindow { get; init; }

    /// <summary>
    /// Token policies only: drop completions whose advantage is not positive from the loss entirely (their tokens
    /// leave the mask, so they count neither in the surrogate's nor in the KL's average), rather than zeroing their
    /// advantage as <see cref="PositiveAdvantagesOnly"/> does. A derived config switches it on (the chat policy's
    /// <c>oblit</c> loss mode); it is no key of its own.
    /// </summary>
    [JsonIgnore] public virtual bool MaskNonPositiveAdvantages => false;

    /// <summary>Whether the mean reward of the last <see cref="EarlyStopWindow"/> updates of <paramref name="history"/> reached <see cref="EarlyStopReward"/>.</summary>
    public bool EarlyStopReached(IReadOnlyList<GrpoUpdate> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var k = EarlyStopWindow ?? 1;
        if (EarlyStopReward is not { } target || history.Count < k) return false;
        return history.Skip(history.Count - k).Average(u => u.RewardMean) >= target;
    }

    /// <summary>ε_high actually used: <see cref="ClipRangeHigh"/> or the symmetric <see cref="ClipRange"/>.</summary>
    [JsonIgnore] public double EffectiveClipRangeHigh => ClipRangeHigh ?? ClipRange;

    /// <summary>Checks every key; throws <see cref="GrpoConfigException"/> listing all problems.</summary>
    public void Validate()
    {
        var p = new List<string>();
        void Need(bool ok, string key, object? value, string rule)
        {
            if (!ok) p.Add($"{key} = {value ?? "null"}: {rule}");
        }
        Need(Updates >= 1, "updates", Updates, "must be at least 1");
        Need(PromptsPerUpdate >= 0, "prompts_per_update", PromptsPerUpdate, "must be 0 (all prompts) or positive");
        Need(GroupSize >= 2, "group_size", GroupSize, "must be at least 2: a group-relative advantage needs a group");
        Need(Enum.IsDefined(RewardMode), "reward_mode", RewardMode, "must be score, logit or decision");
        Need(Enum.IsDefined(Algorithm), "algorithm", Algorithm, "must be grpo or ddpo");
        Need(AdvantageEpsilon > 0 && double.IsFinite(AdvantageEpsilon), "advantage_epsilon", AdvantageEpsilon, "must be a positive number");
        Need(AdvantageClipMax > 0, "adv_clip_max", AdvantageClipMax, "must be positive");
        Need(StatTrackerBufferSize >= 1, "stat_tracker_buffer_size", StatTrackerBufferSize, "must be at least 1");
        Need(StatTrackerMinCount >= 1, "stat_tracker_min_count", StatTrackerMinCount, "must be at least 1");
        Need(ClipRange > 0 && double.IsFinite(ClipRange), "clip_range", ClipRange, "must be a positive number");
        Need(KlBeta >= 0 && double.IsFinite(KlBeta), "kl_beta", KlBeta, "must be ≥ 0");
        Need(InnerEpochs >= 1, "inner_epochs", InnerEpochs, "must be at least 1");
        Need(TrainBatchSize >= 1, "train_batch_size", TrainBatchSize, "must be at least 1");
        Need(GradientAccumulationSteps >= 1, "gradient_accumulation_steps", GradientAccumulationSteps, "must be at least 1");
        Need(LearningRate > 0 && double.IsFinite(LearningRate), "learning_rate", LearningRate, "must be a positive number");
        Need(AdamBeta1 >= 0 && AdamBeta1 < 1, "adam_beta1", AdamBeta1, "must be in [0, 1)");
        Need(AdamBeta2 >= 0 && AdamBeta2 < 1, "adam_beta2", AdamBeta2, "must be in [0, 1)");
        Need(AdamWeightDecay >= 0, "adam_weight_decay", AdamWeightDecay, "must be ≥ 0");
        Need(AdamEpsilon > 0, "adam_epsilon", AdamEpsilon, "must be positive");
        Need(MaxGradNorm > 0, "max_grad_norm", MaxGradNorm, "must be positive (clipping cannot be switched off; use a large value)");
        Need(Enum.IsDefined(LearningRateSchedule), "lr_schedule", LearningRateSchedule, "must be constant, linear or cosine");
        Need(WarmupSteps >= 0, "warmup_steps", WarmupSteps, "must be ≥ 0");
        Need(CheckpointEvery >= 0, "checkpoint_every", CheckpointEvery, "must be ≥ 0");
        Need(Fp16InitialLossScale >= 1, "fp16_initial_loss_scale", Fp16InitialLossScale, "must be at least 1");
        Need(!string.IsNullOrWhiteSpace(AdapterName) && !AdapterName.Contains('.') && !AdapterName.Contains(':'),
             "adapter_name", AdapterName, "must be non-empty without '.' or ':'");
        Need(ClipRangeHigh is null || (ClipRangeHigh > 0 && double.IsFinite(ClipRangeHigh.Value)), "clip_range_high", ClipRangeHigh, "must be a positive number");
        Need(LossAggregation is null || Enum.IsDefined(LossAggregation.Value), "loss_aggregation", LossAggregation, "must be token, sequence or fixed");
        Need(EarlyStopReward is null || double.IsFinite(EarlyStopReward.Value), "early_stop_reward", EarlyStopReward, "must be a finite number");
        Need(EarlyStopWindow is null || EarlyStopWindow >= 1, "early_stop_window", EarlyStopWindow, "must be at least 1");
        Need(EarlyStopWindow is null || EarlyStopReward is not null, "early_stop_window", EarlyStopWindow, "needs early_stop_reward");
        ValidateModality(p);
        if (p.Count > 0) throw new GrpoConfigException(p);
    }

    /// <summary>Adds the problems of a derived config's own keys (rule text as "key = value: rule").</summary>
    protected virtual void ValidateModality(List<string> problems)
    {
    }

    /// <summary>Checks what depends on the prompt count: minibatches must tile the update's trajectories.</summary>
    public void ValidateFor(int promptCount)
    {
        Validate();
        var prompts = PromptsPerUpdate == 0 ? promptCount : PromptsPerUpdate;
        var trajectories = prompts * GroupSize;
        var p = new List<string>();
        if (promptCount < 1) p.Add("prompts: at least one prompt is needed");
        if (trajectories % TrainBatchSize != 0)
            p.Add($"train_batch_size = {TrainBatchSize}: must divide the {trajectories} trajectories of an update ({prompts} prompts × group_size {GroupSize})");
        else if (trajectories / TrainBatchSize % GradientAccumulationSteps != 0)
            p.Add($"gradient_accumulation_steps = {GradientAccumulationSteps}: must divide the {trajectories / TrainBatchSize} minibatches of an update");
        if (p.Count > 0) throw new GrpoConfigException(p);
    }
}
