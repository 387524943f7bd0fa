using static TorchSharp.torch;

namespace Probe.Llm.Generation;

/// <summary>
/// transformers 4.51's sampling warpers (generation/logits_process.py) in the order <c>_get_logits_processor</c>
/// applies them: <c>TemperatureLogitsWarper</c> (only when temperature != 1), <c>TopKLogitsWarper</c> (only when
/// top_k != 0), <c>TopPLogitsWarper</c> (only when top_p &lt; 1). Removed tokens get -inf.
/// </summary>
public static class LogitsWarpers
{
    /// <summary>Warped logits [B, V] (float32 copy of <paramref name="logits"/>).</summary>
    public static Tensor Warp(Tensor logits, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var scope = NewDisposeScope();
        var scores = logits.to(ScalarType.Float32);
        if (options.Temperature != 1.0) scores = scores / options.Temperature;
        if (options.TopK != 0) scores = TopK(scores, options.TopK);
        if (options.TopP < 1.0) scores = TopP(scores, options.TopP);
        return scores.MoveToOuterDisposeScope();
    }

    /// <summary>softmax(warp(logits)): the distribution generate() samples from; exactly 0 on removed tokens.</summary>
    public static Tensor Probabilities(Tensor logits, SamplingOptions options)
    {
        using var scope = NewDisposeScope();
        return Warp(logits, options).softmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary><c>TopKLogitsWarper</c>: remove tokens whose logit is below the k-th largest (ties with it stay).</summary>
    static Tensor TopK(Tensor scores, int topK)
    {
        var k = (int)Math.Min(topK, scores.shape[^1]);
        var kth = scores.topk(k, -1).values.narrow(-1, k - 1, 1);
        return scores.masked_fill(scores < kth, double.NegativeInfinity);
    }

    /// <summary>
    /// <c>TopPLogitsWarper</c>: sort ascending, drop tokens whose cumulative softmax mass is at most <c>1 - top_p</c>,
    /// always keep the largest (min_tokens_to_keep = 1).
    /// </summary>
    static Tensor TopP(Tensor scores, double topP)
    {
        var (sorted, indices) = scores.sort(-1, descending: false);
        var cumulative = sorted.softmax(-1).cumsum(-1);
        var removeSorted = cumulative <= (1 - topP);
        var v = removeSorted.shape[^1];
        removeSorted = removeSorted.index_fill(-1, tensor(new[] { v - 1 }, device: scores.device), false);
        var remove = removeSorted.scatter(-1, indices, removeSorted);
        return scores.masked_fill(remove, double.NegativeInfinity);
    }
}
