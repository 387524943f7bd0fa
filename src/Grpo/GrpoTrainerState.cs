using System.Text.Json.Serialization;

namespace Probe.Grpo;

/// <summary>The trainer's state besides tensors, stored as trainer_state.json in a checkpoint; <typeparamref name="TConfig"/> is the policy's config record.</summary>
public sealed record GrpoTrainerState<TConfig> where TConfig : GrpoSettings
{
    /// <summary>Updates completed.</summary>
    [JsonPropertyName("update")] public required int Update { get; init; }
    [JsonPropertyName("optimizer_steps")] public required int OptimizerSteps { get; init; }
    [JsonPropertyName("loss_scale")] public required double LossScale { get; init; }
    [JsonPropertyName("loss_scale_good_steps")] public required int LossScaleGoodSteps { get; init; }

    /// <summary>ddpo's per-prompt reward buffers (empty for GRPO).</summary>
    [JsonPropertyName("stat_tracker")] public required IReadOnlyDictionary<string, double[]> StatTracker { get; init; }

    /// <summary>The configuration that produced the checkpoint (resuming with a different one is refused).</summary>
    [JsonPropertyName("config")] public required TConfig Config { get; init; }

    [JsonPropertyName("prompts")] public required IReadOnlyList<string> Prompts { get; init; }

    /// <summary>Every update's record so far, so a resumed run reports the whole history.</summary>
    [JsonPropertyName("history")] public required IReadOnlyList<GrpoUpdate> History { get; init; }
}
