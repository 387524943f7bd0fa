using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// transformers' rotary embedding (<c>Qwen2RotaryEmbedding</c>, <c>LlamaRotaryEmbedding</c>): inverse frequencies from
/// <c>rope_theta</c> and <c>rope_scaling</c>, then per position <c>emb = cat(freqs, freqs)</c> with
/// <c>freqs = position * inv_freq</c>, cos and sin computed in float32 and cast to the activations' dtype.
/// The non-interleaved layout: <c>rotate_half(x) = cat(-x2, x1)</c>.
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    // Kept out of the module's buffers on purpose: a model cast to bf16 must not round the frequencies
    // (transformers keeps inv_freq float32 and calls .float() on it in forward).
    readonly Tensor _invFreq;

    public RotaryEmbedding(int headDim, double theta, RopeScaling? scaling, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var inv = DefaultInvFreq(headDim, theta);
        if (scaling is { RopeType: RopeScaling.Llama3 }) inv = Llama3InvFreq(inv, scaling);
        _invFreq = inv.to(device ?? CPU).DetachFromDisposeScope();
    }

    /// <summary>[head_dim/2] float32 on the model's device.</summary>
    public Tensor InvFreq => _invFreq;

    /// <summary>
    /// <c>_compute_default_rope_parameters</c>: <c>1 / theta^(arange(0, d, 2)/d)</c>, each step in float32 as
    /// transformers does it (int64 arange cast to float, divided, then the power).
    /// </summary>
    static Tensor DefaultInvFreq(int dim, double theta)
    {
        var exponent = arange(0L, dim, 2L, dtype: ScalarType.Int64).to(ScalarType.Float32) / dim;
        var powered = full_like(exponent, theta).pow(exponent);
        return powered.reciprocal();
    }

    /// <summary>
    /// <c>modeling_rope_utils._compute_llama3_parameters</c>: wavelengths below <c>orig/high_freq_factor</c> keep their
    /// frequency, those above <c>orig/low_freq_factor</c> are divided by <c>factor</c>, and the band between is a
    /// linear blend by <c>s = (orig/wl - low)/(high - low)</c>.
    /// </summary>
    static Tensor Llama3InvFreq(Tensor invFreq, RopeScaling s)
    {
        var lowFreqWavelen = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        var highFreqWavelen = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        // Python's scalar / tensor is reciprocal(tensor) * scalar in torch; written that way so the float32 rounding matches.
        var wavelen = invFreq.reciprocal() * (2 * Math.PI);
        var scaled = where(wavelen > lowFreqWavelen, invFreq / s.Factor, invFreq);
        var smooth = (wavelen.reciprocal() * s.OriginalMaxPositionEmbeddings - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        var smoothed = (1 - smooth) * scaled / s.Factor + smooth * scaled;
        var medium = (wavelen >= highFreqWavelen).logical_and(wavelen <= lowFreqWavelen);
        return where(medium, smoothed, scaled);
    }

    /// <summary>cos and sin [B, L, head_dim] for <paramref name="positionIds"/> [B, L], in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Forward(Tensor positionIds, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var inv = _invFreq.device == positionIds.device ? _invFreq : _invFreq.to(positionIds.device);
        // One product per element, so this equals transformers' [d/2,1] @ [1,L] matmul exactly.
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * inv;
        var emb = cat([freqs, freqs], -1);
        var cos = emb.cos().to(dtype);
        var sin = emb.sin().to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary><c>apply_rotary_pos_emb</c> on [B, heads, L, d] with cos/sin [B, L, d].</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var c = cos.unsqueeze(1);
        var s = sin.unsqueeze(1);
        return (x * c + RotateHalf(x) * s).MoveToOuterDisposeScope();
    }

    static Tensor RotateHalf(Tensor x)
    {
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return cat([-x2, x1], -1);
    }

    public void Dispose() => _invFreq.Dispose();
}
