using static TorchSharp.torch;

namespace Probe.Diffusion.Models.TextEncoders;

/// <summary>transformers' <c>CLIPAttention</c>: multi-head self-attention with a causal mask (q/k/v/out projections with bias).</summary>
public sealed class CLIPAttention : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> q_proj;
    public nn.Module<Tensor, Tensor> k_proj;
    public nn.Module<Tensor, Tensor> v_proj;
    public nn.Module<Tensor, Tensor> out_proj;
    readonly int _heads;

    public CLIPAttention(CLIPTextConfig config, Device? device, ScalarType? dtype) : base(nameof(CLIPAttention))
    {
        var d = config.HiddenSize;
        _heads = config.NumAttentionHeads;
        q_proj = nn.Linear(d, d, true, device, dtype);
        k_proj = nn.Linear(d, d, true, device, dtype);
        v_proj = nn.Linear(d, d, true, device, dtype);
        out_proj = nn.Linear(d, d, true, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, n, d) = (x.shape[0], x.shape[1], x.shape[2]);
        Tensor Heads(Tensor t) => t.view(b, n, _heads, d / _heads).transpose(1, 2);
        var attended = nn.functional.scaled_dot_product_attention(
            Heads(q_proj.forward(x)), Heads(k_proj.forward(x)), Heads(v_proj.forward(x)), is_casual: true);
        return out_proj.forward(attended.transpose(1, 2).reshape(b, n, d)).MoveToOuterDisposeScope();
    }
}
