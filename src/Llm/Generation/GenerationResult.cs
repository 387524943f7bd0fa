using static TorchSharp.torch;

namespace Probe.Llm.Generation;

/// <summary>What <see cref="CausalLMGeneration.Generate"/> returns; the tensors are in the caller's dispose scope.</summary>
/// <param name="Sequences">[B, P + steps] int64: the prompts (with their left padding), then the new tokens, pad after a row finished.</param>
/// <param name="StepLogits">Raw float32 logits [B, V] of each step; null unless asked for.</param>
/// <param name="GeneratedLengths">Per row, the tokens it generated up to and including the one that finished it.</param>
public sealed record GenerationResult(Tensor Sequences, IReadOnlyList<Tensor>? StepLogits, IReadOnlyList<int> GeneratedLengths);
