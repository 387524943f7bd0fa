using Probe.Llm.Models;
using static TorchSharp.torch;

namespace Probe.Llm.Generation;

/// <summary>
/// Batched generation with a KV cache over left-padded prompts, as transformers 4.51's <c>GenerationMixin.generate</c>
/// (greedy search / sample) does it: position ids from the attention mask, one token per step with the mask grown by
/// one, a finished row continued with pad, stop when every row is finished or after <c>max_new_tokens</c>.
/// </summary>
public static class CausalLMGeneration
{
    /// <param name="model">The model (its device and dtype are used).</param>
    /// <param name="inputIds">[B, P] int64 prompts, left padded.</param>
    /// <param name="attentionMask">[B, P], 0 on padding; null = no padding.</param>
    /// <param name="options">What to generate.</param>
    public static GenerationResult Generate(DecoderForCausalLM model, Tensor inputIds, Tensor? attentionMask, GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxNewTokens < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxNewTokens, "max_new_tokens must be at least 1");
        var rows = (int)inputIds.shape[0];
        if (options.DoSample)
        {
            options.Sampling.Validate();
            if (options.Seeds is null || options.Seeds.Count != rows)
                throw new ArgumentException($"sampling needs one seed per row: {rows} rows, {options.Seeds?.Count ?? 0} seeds", nameof(options));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = model.Device;
        var ids = inputIds.to(ScalarType.Int64, device);
        var mask = attentionMask?.to(ScalarType.Int64, device) ?? ones_like(ids);
        var positions = PositionIds.FromAttentionMask(mask);
        var eos = options.EosTokenIds.ToHashSet();
        var generators = options.DoSample
            ? options.Seeds!.Select(s => new Generator(unchecked((ulong)s), device)).ToArray()
            : null;
        var finished = new bool[rows];
        var lengths = new int[rows];
        var generated = Enumerable.Range(0, rows).Select(_ => new List<long>()).ToArray();
        var steps = new List<Tensor> { ids };
        var stepLogits = options.OutputLogits ? new List<Tensor>() : null;
        using var cache = new DynamicCache(model.Config.NumHiddenLayers);
        try
        {
            var input = ids;
            for (var step = 0; step < options.MaxNewTokens; step++)
            {
                using var stepScope = NewDisposeScope();
                var logits = model.Forward(input, mask, positions, cache, logitsToKeep: 1).Logits.select(1, -1).to(ScalarType.Float32);
                if (stepLogits is not null) stepLogits.Add(logits.MoveToOuterDisposeScope());
                var next = Choose(logits, options, generators);

                var chosen = next.cpu().data<long>().ToArray();
                for (var b = 0; b < rows; b++)
                {
                    if (finished[b])
                    {
                        chosen[b] = options.PadTokenId;
                        continue;
                    }
                    generated[b].Add(chosen[b]);
                    lengths[b]++;
                    if (eos.Contains(chosen[b]) || (options.StopWhen?.Invoke(b, generated[b]) ?? false)) finished[b] = true;
                }
                input = tensor(chosen, [rows, 1L], ScalarType.Int64, device).MoveToOuterDisposeScope();
                steps.Add(input);
                options.Progress?.Report(new GenerationProgress(step + 1, options.MaxNewTokens, finished.Count(f => f), rows));
                if (finished.All(f => f)) break;
                mask = cat([mask, ones([rows, 1L], ScalarType.Int64, device)], 1).MoveToOuterDisposeScope();
                positions = (positions.narrow(1, positions.shape[1] - 1, 1) + 1).MoveToOuterDisposeScope();
            }
        }
        finally
        {
            if (generators is not null)
                foreach (var g in generators) g.Dispose();
        }

        var sequences = cat(steps, 1).MoveToOuterDisposeScope();
        if (stepLogits is not null)
            foreach (var l in stepLogits) l.MoveToOuterDisposeScope();
        return new GenerationResult(sequences, stepLogits, lengths);
    }

    /// <summary>Greedy: argmax of the raw logits. Sampling: row b draws once from softmax(warp(logits[b])) with its own generator.</summary>
    static Tensor Choose(Tensor logits, GenerationOptions options, Generator[]? generators)
    {
        if (!options.DoSample) return logits.argmax(-1);
        var probs = LogitsWarpers.Probabilities(logits, options.Sampling);
        var draws = new Tensor[generators!.Length];
        for (var b = 0; b < draws.Length; b++)
            draws[b] = multinomial(probs[b], 1, replacement: false, generator: generators[b]);
        return cat(draws, 0);
    }
}
