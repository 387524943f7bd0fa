using static TorchSharp.torch;

namespace Probe.Llm.Generation;

/// <summary>Position ids as transformers' <c>generate()</c> derives them from the attention mask.</summary>
public static class PositionIds
{
    /// <summary>
    /// <c>cumsum(attention_mask) - 1</c> with padded positions set to 1 (GenerationMixin
    /// <c>prepare_inputs_for_generation</c>): a left-padded row's first real token sits at position 0.
    /// </summary>
    public static Tensor FromAttentionMask(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var mask = attentionMask.to(ScalarType.Int64);
        var positions = mask.cumsum(-1) - 1;
        return positions.masked_fill(mask.eq(0), 1).MoveToOuterDisposeScope();
    }
}
