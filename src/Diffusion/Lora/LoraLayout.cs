namespace Probe.Diffusion.Lora;

/// <summary>Key layouts of LoRA files in the wild that <see cref="LoraFile"/> reads.</summary>
public enum LoraLayout
{
    /// <summary>peft / diffusers ≥ 0.24: <c>unet.&lt;module&gt;.lora_A.weight</c>, <c>lora_B.weight</c> (also without the prefix, or with peft's <c>base_model.model.</c>).</summary>
    Peft,

    /// <summary>
    /// Older diffusers: attention processors (<c>&lt;attn&gt;.processor.to_q_lora.down.weight</c>, <c>to_out_lora</c>), and
    /// LoRACompatible layers (<c>&lt;module&gt;.lora.down.weight</c> / <c>lora_linear_layer.down.weight</c>).
    /// </summary>
    DiffusersOld,

    /// <summary>kohya-ss / A1111: <c>lora_unet_&lt;module with _&gt;.lora_down.weight</c>, <c>.lora_up.weight</c>, <c>.alpha</c>.</summary>
    Kohya,
}
