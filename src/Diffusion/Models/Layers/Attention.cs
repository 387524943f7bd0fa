using Probe.Core.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>
/// diffusers' <c>Attention</c> (attention_processor.py): multi-head scaled dot-product attention with projections
/// <c>to_q</c>, <c>to_k</c>, <c>to_v</c>, <c>to_out.0</c>; optionally a GroupNorm and a residual connection over a
/// [B,C,H,W] input (the VAE's mid-block attention). Projections are typed as modules so LoRA can wrap them.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor?, Tensor>
{
    public nn.Module<Tensor, Tensor> to_q;
    public nn.Module<Tensor, Tensor> to_k;
    public nn.Module<Tensor, Tensor> to_v;
    public readonly ModuleList<nn.Module<Tensor, Tensor>> to_out;
    readonly GroupNorm? group_norm;

    readonly int _heads;
    readonly bool _upcast;
    readonly bool _residual;
    readonly double _rescaleOutputFactor;

    /// <param name="queryDim">Channels of the query input.</param>
    /// <param name="crossAttentionDim">Channels of the key/value input (null: self-attention).</param>
    /// <param name="heads">Number of heads.</param>
    /// <param name="dimHead">Channels per head.</param>
    /// <param name="bias">Whether q/k/v projections have a bias (UNet: no; VAE: yes).</param>
    /// <param name="upcast">Compute attention in float32 when the model runs in half precision (SD 2.1's upcast_attention, the VAE's upcast_softmax).</param>
    /// <param name="normNumGroups">Adds a GroupNorm over a [B,C,H,W] input and a residual connection (VAE mid-block).</param>
    public Attention(long queryDim, long? crossAttentionDim, int heads, long dimHead, bool bias, bool upcast,
                     int? normNumGroups = null, double eps = 1e-5, double rescaleOutputFactor = 1.0,
                     Device? device = null, ScalarType? dtype = null) : base(nameof(Attention))
    {
        var inner = heads * dimHead;
        var kvDim = crossAttentionDim ?? queryDim;
        _heads = heads;
        _upcast = upcast;
        _rescaleOutputFactor = rescaleOutputFactor;
        if (normNumGroups is { } groups)
        {
            group_norm = nn.GroupNorm(groups, queryDim, eps, affine: true, device: device, dtype: dtype);
            _residual = true;
        }
        to_q = nn.Linear(queryDim, inner, bias, device, dtype);
        to_k = nn.Linear(kvDim, inner, bias, device, dtype);
        to_v = nn.Linear(kvDim, inner, bias, device, dtype);
        to_out = nn.ModuleList<nn.Module<Tensor, Tensor>>(nn.Linear(inner, queryDim, true, device, dtype), nn.Dropout(0.0));
        RegisterComponents();
    }

    /// <summary>Replaces a projection (used by LoRA); <paramref name="name"/> is to_q, to_k, to_v or to_out.0.</summary>
    public void ReplaceProjection(string name, nn.Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        switch (name)
        {
            case "to_q": to_q = module; break;
            case "to_k": to_k = module; break;
            case "to_v": to_v = module; break;
            case "to_out.0": to_out[0] = module; break;
            default: throw new ArgumentException($"no projection named '{name}'", nameof(name));
        }
        // TorchSharp registers sub-modules once, from the fields, and refuses a second registration under a name:
        // drop the old entry (registering null removes it) so parameters() and state_dict() see the new module.
        if (name == "to_out.0") ModuleRegistration.Replace(to_out, "0", module);
        else ModuleRegistration.Replace(this, name, module);
    }

    public nn.Module<Tensor, Tensor> Projection(string name) => name switch
    {
        "to_q" => to_q,
        "to_k" => to_k,
        "to_v" => to_v,
        "to_out.0" => to_out[0],
        _ => throw new ArgumentException($"no projection named '{name}'", nameof(name)),
    };

    /// <param name="hidden">[B,N,C] tokens, or [B,C,H,W] when built with a GroupNorm.</param>
    /// <param name="context">[B,M,D] encoder states for cross-attention; null for self-attention.</param>
    public override Tensor forward(Tensor hidden, Tensor? context)
    {
        using var scope = NewDisposeScope();
        var input = hidden;
        long b = 0, c = 0, h = 0, w = 0;
        var spatial = hidden.dim() == 4;
        if (group_norm is not null) hidden = group_norm.forward(hidden);
        if (spatial)
        {
            (b, c, h, w) = (hidden.shape[0], hidden.shape[1], hidden.shape[2], hidden.shape[3]);
            hidden = hidden.view(b, c, h * w).transpose(1, 2);
        }

        var kv = context ?? hidden;
        var q = SplitHeads(to_q.forward(hidden));
        var k = SplitHeads(to_k.forward(kv));
        var v = SplitHeads(to_v.forward(kv));
        var dtype = q.dtype;
        if (_upcast && dtype != ScalarType.Float32 && dtype != ScalarType.Float64)
        {
            q = q.to(ScalarType.Float32);
            k = k.to(ScalarType.Float32);
            v = v.to(ScalarType.Float32);
        }
        var attended = nn.functional.scaled_dot_product_attention(q, k, v).to(dtype);
        var merged = attended.transpose(1, 2).flatten(2);
        var output = to_out[1].forward(to_out[0].forward(merged));

        if (spatial) output = output.transpose(1, 2).reshape(b, c, h, w);
        if (_residual) output = output + input;
        if (_rescaleOutputFactor != 1.0) output = output / _rescaleOutputFactor;
        return output.MoveToOuterDisposeScope();
    }

    Tensor SplitHeads(Tensor x)
    {
        var (b, n, inner) = (x.shape[0], x.shape[1], x.shape[2]);
        return x.view(b, n, _heads, inner / _heads).transpose(1, 2);
    }
}
