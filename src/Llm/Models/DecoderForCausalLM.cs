using Probe.Core.Safetensors;
using Probe.Core.Weights;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// The decoder-only causal LM shared by <see cref="Qwen2ForCausalLM"/>, <see cref="Qwen3ForCausalLM"/> and
/// <see cref="LlamaForCausalLM"/>: transformers' math for the three is the same up to the switches of
/// <see cref="CausalLMConfig"/> (biases, q/k norm, head_dim, RoPE scaling, sliding window).
/// With <c>tie_word_embeddings</c> there is no <c>lm_head</c> module: the logits use <c>embed_tokens.weight</c>
/// itself (<see cref="LmHeadWeight"/>), one tensor, as transformers' <c>tie_weights</c> leaves it.
/// </summary>
public abstract class DecoderForCausalLM : nn.Module
{
    public readonly DecoderModel model;
    public readonly Linear? lm_head;

    protected DecoderForCausalLM(string name, CausalLMConfig config, Device? device, ScalarType? dtype) : base(name)
    {
        Config = config;
        Device = device ?? CPU;
        DType = dtype ?? ScalarType.Float32;
        model = new DecoderModel(config, Device, DType);
        if (!config.TieWordEmbeddings) lm_head = nn.Linear(config.HiddenSize, config.VocabSize, false, Device, DType);
        RegisterComponents();
        // A model built inside a caller's dispose scope must not lose its weights when that scope ends.
        foreach (var (_, p) in named_parameters()) p.DetachFromDisposeScope();
    }

    public CausalLMConfig Config { get; }
    public Device Device { get; }
    public ScalarType DType { get; }

    /// <summary>The output projection [vocab, hidden]: <c>lm_head.weight</c>, or <c>embed_tokens.weight</c> when tied.</summary>
    public Parameter LmHeadWeight => lm_head?.weight ?? model.embed_tokens.weight!;

    /// <summary>
    /// One forward pass (transformers' <c>model(input_ids, attention_mask, position_ids, past_key_values)</c>).
    /// </summary>
    /// <param name="inputIds">[B, L] int64.</param>
    /// <param name="attentionMask">[B, cached + L], 1 = attend, 0 = padding; null = attend everywhere.</param>
    /// <param name="positionIds">[B, L]; null = <c>cached + arange(L)</c> for every row, padded or not, as transformers does.</param>
    /// <param name="cache">Keys/values of earlier calls; this call's are appended.</param>
    /// <param name="outputHiddenStates">Return the hidden states and the last layer's output as well.</param>
    /// <param name="logitsToKeep">Compute logits for the last this-many positions only (transformers' <c>logits_to_keep</c>); 0 = all.</param>
    public CausalLMOutput Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null,
                                  DynamicCache? cache = null, bool outputHiddenStates = false, int logitsToKeep = 0)
    {
        using var scope = NewDisposeScope();
        var (b, l) = (inputIds.shape[0], inputIds.shape[1]);
        var past = cache?.SeqLength ?? 0;
        var ids = inputIds.to(ScalarType.Int64, Device);
        positionIds = positionIds is null
            ? arange(past, past + l, dtype: ScalarType.Int64, device: Device).unsqueeze(0).expand(b, l)
            : positionIds.to(ScalarType.Int64, Device);

        var hidden = model.embed_tokens.forward(ids);
        var (cos, sin) = model.Rotary.Forward(positionIds, hidden.dtype);
        var mask = model.CausalMask(b, l, past, attentionMask, hidden.dtype, Device);
        var states = outputHiddenStates ? new List<Tensor> { hidden } : null;
        foreach (var layer in model.layers)
        {
            using var layerScope = NewDisposeScope();
            hidden = layer.Forward(hidden, cos, sin, mask, cache).MoveToOuterDisposeScope();
            states?.Add(hidden);
        }
        var lastLayer = hidden;
        hidden = model.norm.forward(hidden);
        if (states is not null)
        {
            // transformers' tuple holds each layer's input, then the normed output in place of the last layer's output.
            states[^1] = hidden;
        }
        if (logitsToKeep > 0 && logitsToKeep < l) hidden = hidden.narrow(1, l - logitsToKeep, logitsToKeep);
        var logits = lm_head is not null ? lm_head.forward(hidden) : nn.functional.linear(hidden, model.embed_tokens.weight!);

        logits.MoveToOuterDisposeScope();
        if (states is null) return new CausalLMOutput(logits, null, null);
        foreach (var s in states) s.MoveToOuterDisposeScope();
        lastLayer.MoveToOuterDisposeScope();
        return new CausalLMOutput(logits, states, lastLayer);
    }

    /// <summary>Loads the weights of <paramref name="folder"/> into <paramref name="target"/> (already built from its config).</summary>
    protected static T Load<T>(T target, string folder) where T : DecoderForCausalLM
    {
        try
        {
            Checkpoint checkpoint;
            try
            {
                checkpoint = Checkpoint.OpenComponent(folder, null, "model");
            }
            catch (FileNotFoundException e)
            {
                throw new ModelLoadException(e.Message, e);
            }
            using (checkpoint)
            {
                // A tied checkpoint written with lm_head.weight anyway is loaded as transformers loads it: the tie wins
                // (lm_head is in _tied_weights_keys), so that tensor is not used.
                WeightLoader.Load(target, checkpoint, $"{target.GetName()} ({folder})",
                    ignorable: k => target.Config.TieWordEmbeddings && k == "lm_head.weight");
            }
        }
        catch
        {
            target.Dispose();
            throw;
        }
        target.eval();
        return target;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) model.Rotary.Dispose();
        base.Dispose(disposing);
    }
}
