using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// The loss of one micro-step and its diagnostics: approx KL is ddpo's ½·mean((log p_θ − log p_old)²), the clip
/// fraction the share of |ratio − 1| &gt; ε.
/// </summary>
public sealed record PolicyLossTerms(Tensor Loss, double PolicyLoss, double ApproxKl, double ClipFraction,
                                     double RatioMean, double RatioMin, double RatioMax, double? KlToReference);
