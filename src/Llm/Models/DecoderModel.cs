using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// transformers' <c>Qwen2Model</c> / <c>LlamaModel</c> / <c>Qwen3Model</c> (the <c>model.</c> prefix of the checkpoint):
/// token embeddings, the decoder layers, the final norm and the rotary embedding.
/// </summary>
public sealed class DecoderModel : nn.Module
{
    public readonly Embedding embed_tokens;
    public readonly ModuleList<DecoderLayer> layers;
    public readonly RMSNorm norm;
    readonly RotaryEmbedding _rotary;

    public DecoderModel(CausalLMConfig config, Device? device, ScalarType? dtype) : base(nameof(DecoderModel))
    {
        Config = config;
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize, device: device, dtype: dtype);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(i => new DecoderLayer(config, i, device, dtype)).ToArray());
        norm = new RMSNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        _rotary = new RotaryEmbedding(config.HeadDim, config.RopeTheta, config.RopeScaling, device);
        RegisterComponents();
    }

    public CausalLMConfig Config { get; }

    /// <summary>The rotary embedding (inverse frequencies, cos/sin), for checks against transformers' rotary_emb.</summary>
    public RotaryEmbedding Rotary => _rotary;

    /// <summary>
    /// The additive mask of transformers 4.51's eager path (<c>_prepare_4d_causal_attention_mask_with_cache_position</c>):
    /// key j is hidden from query i (cache position <c>past + i</c>) when it lies in the future, when its attention
    /// mask entry is 0, or, with a sliding window w, when <c>j &lt;= past + i - w</c>. Hidden entries get the dtype's
    /// minimum (not -inf): a query whose keys are all hidden (a left pad) then attends uniformly to every key instead
    /// of producing NaN, exactly as transformers does.
    /// </summary>
    public Tensor CausalMask(long batch, long queryLength, long past, Tensor? attentionMask, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var total = past + queryLength;
        if (attentionMask is not null && attentionMask.shape[^1] != total)
            throw new ArgumentException($"attention_mask covers {attentionMask.shape[^1]} positions, cache + input hold {total}", nameof(attentionMask));
        var cachePosition = arange(past, total, dtype: ScalarType.Int64, device: device).unsqueeze(-1);
        var keys = arange(0L, total, dtype: ScalarType.Int64, device: device).unsqueeze(0);
        var hidden = keys > cachePosition;
        if (Config.SlidingWindow is { } window) hidden = hidden.logical_or(keys <= cachePosition - window);
        var hidden4 = hidden.unsqueeze(0).unsqueeze(0).expand(batch, 1, queryLength, total);
        if (attentionMask is not null)
            hidden4 = hidden4.logical_or(attentionMask.to(device).eq(0).unsqueeze(1).unsqueeze(1));
        var min = finfo(dtype).min;
        var mask = zeros([batch, 1, queryLength, total], dtype, device).masked_fill(hidden4, min);
        return mask.MoveToOuterDisposeScope();
    }
}
