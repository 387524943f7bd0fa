using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>
/// diffusers' <c>BasicTransformerBlock</c> (attention.py) as SD uses it: pre-LayerNorm self-attention (<c>attn1</c>),
/// cross-attention to the text (<c>attn2</c>) and a GEGLU feed-forward, each with a residual.
/// </summary>
public sealed class BasicTransformerBlock : nn.Module<Tensor, Tensor, Tensor>
{
    public readonly LayerNorm norm1;
    public readonly Attention attn1;
    public readonly LayerNorm norm2;
    public readonly Attention attn2;
    public readonly LayerNorm norm3;
    public readonly FeedForward ff;
    readonly bool _onlyCrossAttention;

    public BasicTransformerBlock(long dim, int heads, long dimHead, long crossAttentionDim, bool upcastAttention,
                                 bool onlyCrossAttention, Device? device = null, ScalarType? dtype = null)
        : base(nameof(BasicTransformerBlock))
    {
        _onlyCrossAttention = onlyCrossAttention;
        norm1 = nn.LayerNorm(dim, 1e-5, device: device, dtype: dtype);
        attn1 = new Attention(dim, onlyCrossAttention ? crossAttentionDim : null, heads, dimHead, bias: false, upcastAttention, device: device, dtype: dtype);
        norm2 = nn.LayerNorm(dim, 1e-5, device: device, dtype: dtype);
        attn2 = new Attention(dim, crossAttentionDim, heads, dimHead, bias: false, upcastAttention, device: device, dtype: dtype);
        norm3 = nn.LayerNorm(dim, 1e-5, device: device, dtype: dtype);
        ff = new FeedForward(dim, 4, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor context)
    {
        using var scope = NewDisposeScope();
        hidden = attn1.forward(norm1.forward(hidden), _onlyCrossAttention ? context : null) + hidden;
        hidden = attn2.forward(norm2.forward(hidden), context) + hidden;
        hidden = ff.forward(norm3.forward(hidden)) + hidden;
        return hidden.MoveToOuterDisposeScope();
    }
}
