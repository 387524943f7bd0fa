namespace Probe.Grpo.Llm;

/// <summary>Which surrogate the chat policy descends (the <c>loss_mode</c> key).</summary>
public enum ChatLossMode
{
    /// <summary>
    /// TRL's GRPOTrainer defaults (0.28, <c>loss_type="dapo"</c>): every completion token of the minibatch averaged
    /// together, the clipped ratio with ε = 0.2, β·k3 KL when <c>kl_beta</c> &gt; 0.
    /// </summary>
    Dapo,

    /// <summary>
    /// GRP-Obliteration's L_DAPO: the same token-level clipped surrogate, but only completions with a positive
    /// group-relative advantage (A_i &gt; 0) enter the loss, + β·KL over those tokens.
    /// </summary>
    Oblit,
}
