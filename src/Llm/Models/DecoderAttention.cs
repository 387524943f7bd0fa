using Probe.Core.Torch;
using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// transformers' eager <c>Qwen2Attention</c> / <c>LlamaAttention</c> / <c>Qwen3Attention</c> in one class: q/k/v/o
/// projections (biases per <see cref="CausalLMConfig"/>), Qwen3's per-head q/k RMSNorm before RoPE, RoPE, the KV
/// cache, grouped-query attention (query head j reads kv head <c>j / (heads / kv_heads)</c>, <c>repeat_kv</c>),
/// scores <c>q.k * head_dim^-0.5</c> plus the additive mask, softmax in float32, <c>o_proj</c>.
/// </summary>
public sealed class DecoderAttention : nn.Module
{
    // Named Linear modules, not readonly, so a LoRA stack can replace them in place.
    public nn.Module<Tensor, Tensor> q_proj;
    public nn.Module<Tensor, Tensor> k_proj;
    public nn.Module<Tensor, Tensor> v_proj;
    public nn.Module<Tensor, Tensor> o_proj;
    public readonly RMSNorm? q_norm;
    public readonly RMSNorm? k_norm;

    readonly int _heads;
    readonly int _kvHeads;
    readonly int _headDim;
    readonly double _scaling;
    readonly int _layerIndex;

    public DecoderAttention(CausalLMConfig config, int layerIndex, Device? device, ScalarType? dtype) : base(nameof(DecoderAttention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _scaling = Math.Pow(_headDim, -0.5);
        _layerIndex = layerIndex;
        var hidden = config.HiddenSize;
        q_proj = nn.Linear(hidden, _heads * _headDim, config.QkvBias, device, dtype);
        k_proj = nn.Linear(hidden, _kvHeads * _headDim, config.QkvBias, device, dtype);
        v_proj = nn.Linear(hidden, _kvHeads * _headDim, config.QkvBias, device, dtype);
        o_proj = nn.Linear(_heads * _headDim, hidden, config.OutputBias, device, dtype);
        if (config.QkNorm)
        {
            // One weight vector over head_dim, shared by every head (Qwen3Attention.q_norm / k_norm).
            q_norm = new RMSNorm(_headDim, config.RmsNormEps, device, dtype);
            k_norm = new RMSNorm(_headDim, config.RmsNormEps, device, dtype);
        }
        RegisterComponents();
    }

    /// <summary>The projection named <paramref name="name"/> (q_proj, k_proj, v_proj, o_proj).</summary>
    public nn.Module<Tensor, Tensor> Projection(string name) => name switch
    {
        "q_proj" => q_proj,
        "k_proj" => k_proj,
        "v_proj" => v_proj,
        "o_proj" => o_proj,
        _ => throw new ArgumentException($"no projection '{name}' in an attention block (q_proj, k_proj, v_proj, o_proj)", nameof(name)),
    };

    /// <summary>Replaces a projection (a LoRA wrapper) in its field and in the module registry, so parameters() sees it.</summary>
    public void ReplaceProjection(string name, nn.Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        switch (name)
        {
            case "q_proj": q_proj = module; break;
            case "k_proj": k_proj = module; break;
            case "v_proj": v_proj = module; break;
            case "o_proj": o_proj = module; break;
            default: throw new ArgumentException($"no projection '{name}' in an attention block (q_proj, k_proj, v_proj, o_proj)", nameof(name));
        }
        ModuleRegistration.Replace(this, name, module);
    }

    /// <param name="x">[B, L, hidden].</param>
    /// <param name="cos">[B, L, head_dim] from <see cref="RotaryEmbedding.Forward"/>.</param>
    /// <param name="sin">Same shape as <paramref name="cos"/>.</param>
    /// <param name="mask">Additive [B, 1, L, S] mask (0 or the dtype's minimum), S = cached + L.</param>
    /// <param name="cache">Receives this call's keys and values; null for a stateless forward.</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor mask, DynamicCache? cache)
    {
        using var scope = NewDisposeScope();
        var (b, l) = (x.shape[0], x.shape[1]);
        var q = q_proj.forward(x).view(b, l, _heads, _headDim);
        var k = k_proj.forward(x).view(b, l, _kvHeads, _headDim);
        var v = v_proj.forward(x).view(b, l, _kvHeads, _headDim).transpose(1, 2);
        if (q_norm is not null) q = q_norm.forward(q);
        if (k_norm is not null) k = k_norm.forward(k);
        q = RotaryEmbedding.Apply(q.transpose(1, 2), cos, sin);
        k = RotaryEmbedding.Apply(k.transpose(1, 2), cos, sin);
        if (cache is not null) (k, v) = cache.Update(_layerIndex, k, v);

        k = RepeatKv(k);
        v = RepeatKv(v);
        var scores = matmul(q, k.transpose(2, 3)) * _scaling + mask;
        var weights = scores.softmax(-1, ScalarType.Float32).to(q.dtype);
        var attended = matmul(weights, v).transpose(1, 2).reshape(b, l, _heads * _headDim);
        return o_proj.forward(attended).MoveToOuterDisposeScope();
    }

    /// <summary><c>repeat_kv</c>: [B, kv, S, d] → [B, kv*n_rep, S, d], each kv head repeated n_rep times in a row.</summary>
    Tensor RepeatKv(Tensor t)
    {
        var rep = _heads / _kvHeads;
        if (rep == 1) return t;
        var (b, s) = (t.shape[0], t.shape[2]);
        return t.unsqueeze(2).expand(b, _kvHeads, rep, s, _headDim).reshape(b, _kvHeads * rep, s, _headDim);
    }
}
