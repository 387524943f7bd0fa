using Probe.Llm.Models;
using static TorchSharp.torch;

namespace Probe.Llm.Generation;

/// <summary>
/// Per-token log-probabilities of given completions, the GRPO quantity (TRL's <c>_get_per_token_logps</c>):
/// one forward over <c>cat(prompt, completion)</c> with <c>cat(prompt_mask, completion_mask)</c>, logits at
/// positions <c>P-1 .. P+C-2</c> (each predicts the next completion token), divided by the temperature,
/// log_softmax, gathered at the completion ids. Computed in float32 whatever the model dtype.
/// </summary>
public static class TokenLogProbs
{
    /// <summary>
    /// [B, C] log-probs, differentiable (no no_grad inside: the policy gradient flows through it).
    /// </summary>
    /// <param name="positionIdsFromMask">Use generate()'s position ids (<see cref="PositionIds.FromAttentionMask"/>)
    /// instead of transformers' default arange, which is what TRL passes.</param>
    public static Tensor Full(DecoderForCausalLM model, Tensor promptIds, Tensor promptMask, Tensor completionIds, Tensor completionMask,
                              double temperature = 1.0, bool positionIdsFromMask = false)
    {
        using var scope = NewDisposeScope();
        var logits = CompletionLogits(model, promptIds, promptMask, completionIds, completionMask, positionIdsFromMask);
        return Gather(logits, completionIds, temperature, model.Device).MoveToOuterDisposeScope();
    }

    /// <summary>[B, C, V] float32: the logits that predict each completion token (temperature 1).</summary>
    public static Tensor CompletionLogits(DecoderForCausalLM model, Tensor promptIds, Tensor promptMask, Tensor completionIds, Tensor completionMask,
                                          bool positionIdsFromMask = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var device = model.Device;
        var c = completionIds.shape[1];
        var ids = cat([promptIds.to(ScalarType.Int64, device), completionIds.to(ScalarType.Int64, device)], 1);
        var mask = cat([promptMask.to(ScalarType.Int64, device), completionMask.to(ScalarType.Int64, device)], 1);
        var positions = positionIdsFromMask ? PositionIds.FromAttentionMask(mask) : null;
        // logits_to_keep = C + 1, then drop the last (it predicts past the completion), as TRL does.
        var logits = model.Forward(ids, mask, positions, logitsToKeep: (int)c + 1).Logits;
        return logits.narrow(1, 0, c).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same log-probs scored the way a rollout sees them: the prompt forward fills a KV cache, then one completion
    /// token per step, with the full pass's position ids (arange). Inference only (runs under no_grad).
    /// </summary>
    public static Tensor Incremental(DecoderForCausalLM model, Tensor promptIds, Tensor promptMask, Tensor completionIds, Tensor completionMask,
                                     double temperature = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = model.Device;
        var c = completionIds.shape[1];
        var completion = completionIds.to(ScalarType.Int64, device);
        var completionMaskD = completionMask.to(ScalarType.Int64, device);
        var mask = promptMask.to(ScalarType.Int64, device);
        using var cache = new DynamicCache(model.Config.NumHiddenLayers);
        var steps = new List<Tensor>();
        var input = promptIds.to(ScalarType.Int64, device);
        for (var t = 0; t < c; t++)
        {
            using var stepScope = NewDisposeScope();
            var logits = model.Forward(input, mask, null, cache, logitsToKeep: 1).Logits.select(1, -1).to(ScalarType.Float32);
            steps.Add(logits.MoveToOuterDisposeScope());
            if (t == c - 1) break;
            input = completion.narrow(1, t, 1).MoveToOuterDisposeScope();
            mask = cat([mask, completionMaskD.narrow(1, t, 1)], 1).MoveToOuterDisposeScope();
        }
        return Gather(stack(steps, 1), completionIds, temperature, device).MoveToOuterDisposeScope();
    }

    static Tensor Gather(Tensor logits, Tensor completionIds, double temperature, Device device)
    {
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be positive");
        var logp = (logits / temperature).log_softmax(-1);
        return logp.gather(-1, completionIds.to(ScalarType.Int64, device).unsqueeze(-1)).squeeze(-1);
    }
}
