using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// What <see cref="DecoderForCausalLM.Forward"/> returns; the caller owns the tensors (they are in the caller's dispose
/// scope, if any).
/// </summary>
/// <param name="Logits">[B, kept positions, vocab] in the model dtype (transformers does not upcast).</param>
/// <param name="HiddenStates">
/// transformers' <c>output_hidden_states</c>: [0] the embeddings, [k] the output of decoder layer k for k &lt; n, [n] the
/// output of the final norm; null unless asked for.
/// </param>
/// <param name="LastLayerOutput">The last decoder layer's output before the final norm; null unless hidden states were asked for.</param>
public sealed record CausalLMOutput(Tensor Logits, IReadOnlyList<Tensor>? HiddenStates, Tensor? LastLayerOutput);
