namespace Probe.Grpo;

/// <summary>
/// How a policy that scores tokens turns per-token surrogate losses into one number (the choice TRL's
/// <c>GRPOConfig.loss_type</c> names). Per-sample policies (one log-probability per denoising step) have nothing to
/// aggregate and use the plain mean over the minibatch.
/// </summary>
public enum LossAggregation
{
    /// <summary>Sum over every unmasked token of the minibatch / their count (DAPO's token-level loss, TRL's <c>dapo</c>).</summary>
    Token,

    /// <summary>Each completion's mean over its tokens, then the mean over completions (the original GRPO, TRL's <c>grpo</c>).</summary>
    Sequence,

    /// <summary>Sum over unmasked tokens / (completions × max completion length) (Dr. GRPO, TRL's <c>dr_grpo</c>).</summary>
    Fixed,
}
