using System.Text.Json.Serialization;
using Probe.Llm.Lora;

namespace Probe.Grpo.Llm;

/// <summary>
/// Every hyper-parameter of a GRPO run over chat completions: <see cref="GrpoSettings"/>' loop, advantage, clip, KL
/// and optimiser keys (with TRL's GRPOConfig defaults where TRL has the key: G = 8, ε = 0.2, token-level "dapo"
/// aggregation) plus the sampling keys and the LoRA. docs/GRPO.md ("GRPO on chat models") lists each key.
/// </summary>
public sealed record ChatGrpoConfig : GrpoSettings
{
    public ChatGrpoConfig()
    {
        // TRL GRPOConfig: num_generations = 8, epsilon = 0.2, loss_type = "dapo"; one minibatch = one group.
        GroupSize = 8;
        TrainBatchSize = 8;
        ClipRange = 0.2;
        LossAggregation = Probe.Grpo.LossAggregation.Token;
    }

    /// <summary>Sampling temperature; the log-probabilities of the loss are taken at the same temperature (TRL divides the logits by it).</summary>
    [JsonPropertyName("temperature")] public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus mass; 1 = off.</summary>
    [JsonPropertyName("top_p")] public double TopP { get; init; } = 0.95;

    /// <summary>Keep the k most likely tokens; 0 = off.</summary>
    [JsonPropertyName("top_k")] public int TopK { get; init; }

    /// <summary>Completion length limit (TRL's max_completion_length: 256).</summary>
    [JsonPropertyName("max_new_tokens")] public int MaxNewTokens { get; init; } = 256;

    /// <summary>Tokens that end a completion; null = the model's config.json eos_token_id.</summary>
    [JsonPropertyName("eos_token_ids"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<long>? EosTokenIds { get; init; }

    /// <summary>Padding token; null = the model's pad_token_id, else its first EOS, else 0.</summary>
    [JsonPropertyName("pad_token_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? PadTokenId { get; init; }

    /// <summary>dapo (TRL's defaults) or oblit (the paper's positive-advantage L_DAPO).</summary>
    [JsonPropertyName("loss_mode")] public ChatLossMode LossMode { get; init; } = ChatLossMode.Dapo;

    /// <summary>Estimator of the per-token KL to the reference (k3, as TRL and the GRPO paper).</summary>
    [JsonPropertyName("kl_estimator")] public LogRatioKl.Estimator KlEstimator { get; init; } = LogRatioKl.Estimator.K3;

    /// <summary>Completions generated together (the memory budget of sampling).</summary>
    [JsonPropertyName("rollout_batch_size")] public int RolloutBatchSize { get; init; } = 8;

    /// <summary>The trained adapter (default: rank 8, alpha 16, every projection of every layer).</summary>
    [JsonPropertyName("lora")] public CausalLMLoraConfig Lora { get; init; } = new();

    /// <summary>oblit drops non-positive-advantage completions from the token mask (see <see cref="ChatLossMode.Oblit"/>).</summary>
    [JsonIgnore] public override bool MaskNonPositiveAdvantages => LossMode == ChatLossMode.Oblit;

    protected override void ValidateModality(List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        void Need(bool ok, string key, object? value, string rule)
        {
            if (!ok) problems.Add($"{key} = {value ?? "null"}: {rule}");
        }
        Need(Temperature > 0 && double.IsFinite(Temperature), "temperature", Temperature, "must be a positive number (GRPO samples; greedy decoding has no group to compare)");
        Need(TopP > 0 && TopP <= 1, "top_p", TopP, "must be in (0, 1]");
        Need(TopK >= 0, "top_k", TopK, "must be 0 (off) or positive");
        Need(MaxNewTokens >= 1, "max_new_tokens", MaxNewTokens, "must be at least 1");
        Need(EosTokenIds is null || (EosTokenIds.Count > 0 && EosTokenIds.All(t => t >= 0)), "eos_token_ids",
             EosTokenIds is null ? null : "[" + string.Join(", ", EosTokenIds) + "]", "must list at least one token id ≥ 0 (or be left out for the model's)");
        Need(PadTokenId is null or >= 0, "pad_token_id", PadTokenId, "must be ≥ 0");
        Need(Enum.IsDefined(LossMode), "loss_mode", LossMode, "must be dapo or oblit");
        Need(Enum.IsDefined(KlEstimator), "kl_estimator", KlEstimator, "must be k1, k2 or k3");
        Need(RolloutBatchSize >= 1, "rollout_batch_size", RolloutBatchSize, "must be at least 1");
        try
        {
            Lora.Validate();
        }
        catch (ArgumentException e)
        {
            problems.Add($"lora: {e.Message}");
        }
    }
}
