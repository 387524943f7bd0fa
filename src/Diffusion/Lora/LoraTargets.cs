namespace Probe.Diffusion.Lora;

/// <summary>Which UNet layers get LoRA adapters (flags; combine with |).</summary>
[Flags]
public enum LoraTargets
{
    /// <summary>Every attention projection: <c>to_q</c>, <c>to_k</c>, <c>to_v</c>, <c>to_out.0</c> of attn1 and attn2 (the default, as ddpo-pytorch and diffusers' training scripts).</summary>
    Attention = 1,

    /// <summary>The transformer blocks' feed-forward: <c>ff.net.0.proj</c> (GEGLU) and <c>ff.net.2</c>.</summary>
    FeedForward = 2,

    /// <summary>The Transformer2DModel's <c>proj_in</c> and <c>proj_out</c> (linear in SD 2.x, 1×1 convolutions in SD 1.x).</summary>
    Projections = 4,

    All = Attention | FeedForward | Projections,
}
