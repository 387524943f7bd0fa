using static TorchSharp.torch;

namespace Probe.Grpo.Llm;

/// <summary>A minibatch of completions scored token by token: log-probabilities [B, C] now and at sampling, and the completion mask [B, C].</summary>
public sealed record TokenScore(Tensor LogProb, Tensor OldLogProb, Tensor Mask) : IPolicyScore
{
    Tensor? IPolicyScore.Mask => Mask;
}
