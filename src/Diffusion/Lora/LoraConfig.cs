using System.Text.Json.Serialization;

namespace Probe.Diffusion.Lora;

/// <summary>
/// A LoRA adapter's shape: ΔW = (alpha / rank) · B·A with A [rank, in] and B [out, rank], as peft's LoraConfig
/// (r, lora_alpha, lora_dropout, target_modules). B starts at zero, so a new adapter leaves the model unchanged.
/// </summary>
public sealed record LoraConfig
{
    /// <summary>Rank r of A and B (peft's <c>r</c>); 4 is ddpo-pytorch's LoRA rank.</summary>
    [JsonPropertyName("rank")] public int Rank { get; init; } = 4;

    /// <summary>peft's <c>lora_alpha</c>: the update is scaled by alpha / rank. Equal to the rank by default (scale 1).</summary>
    [JsonPropertyName("alpha")] public double Alpha { get; init; } = 4;

    /// <summary>Dropout on the adapter's input while the model is in training mode (peft's <c>lora_dropout</c>).</summary>
    [JsonPropertyName("dropout")] public double Dropout { get; init; }

    [JsonPropertyName("targets")] public LoraTargets Targets { get; init; } = LoraTargets.Attention;

    /// <summary>alpha / rank: the factor on B·A.</summary>
    [JsonIgnore] public double Scaling => Alpha / Rank;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (Rank < 1) throw new ArgumentException($"LoRA rank must be at least 1, got {Rank}");
        if (!double.IsFinite(Alpha) || Alpha <= 0) throw new ArgumentException($"LoRA alpha must be a positive number, got {Alpha}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"LoRA dropout must be in [0, 1), got {Dropout}");
        if (Targets == 0 || (Targets & ~LoraTargets.All) != 0)
            throw new ArgumentException($"LoRA targets must name at least one of Attention, FeedForward, Projections; got {Targets}");
    }
}
