using System.Text.Json.Serialization;

namespace Probe.Llm.Lora;

/// <summary>Which projections of each decoder layer a chat model's LoRA adapts (flags; the group of each <see cref="Probe.Core.Lora.LoraTarget"/>).</summary>
[Flags]
public enum CausalLMLoraTargets
{
    /// <summary><c>self_attn.q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>o_proj</c>.</summary>
    Attention = 1,

    /// <summary><c>mlp.gate_proj</c>, <c>up_proj</c>, <c>down_proj</c>.</summary>
    Mlp = 2,

    /// <summary>Every linear projection of a layer (peft's <c>target_modules="all-linear"</c> minus the tied head).</summary>
    All = Attention | Mlp,
}

/// <summary>
/// A chat model's LoRA shape: ΔW = (alpha / rank) · B·A, peft's LoraConfig (r, lora_alpha, lora_dropout,
/// target_modules). B starts at zero, so a new adapter leaves the model's logits unchanged.
/// </summary>
public sealed record CausalLMLoraConfig
{
    /// <summary>peft's <c>r</c>.</summary>
    [JsonPropertyName("rank")] public int Rank { get; init; } = 8;

    /// <summary>peft's <c>lora_alpha</c>; the update is scaled by alpha / rank.</summary>
    [JsonPropertyName("alpha")] public double Alpha { get; init; } = 16;

    /// <summary>peft's <c>lora_dropout</c> (training mode only).</summary>
    [JsonPropertyName("dropout")] public double Dropout { get; init; }

    [JsonPropertyName("targets")] public CausalLMLoraTargets Targets { get; init; } = CausalLMLoraTargets.All;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (Rank < 1) throw new ArgumentException($"LoRA rank must be at least 1, got {Rank}");
        if (!double.IsFinite(Alpha) || Alpha <= 0) throw new ArgumentException($"LoRA alpha must be a positive number, got {Alpha}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"LoRA dropout must be in [0, 1), got {Dropout}");
        if (Targets == 0 || (Targets & ~CausalLMLoraTargets.All) != 0)
            throw new ArgumentException($"LoRA targets must name at least one of Attention, Mlp; got {Targets}");
    }
}
