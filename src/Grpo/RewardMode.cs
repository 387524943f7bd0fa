
namespace Probe.Grpo;

/// <summary>How a judge's verdict on an image becomes its reward.</summary>
public enum RewardMode
{
    /// <summary>The unsafe score in [0,1].</summary>
    Score,

    /// <summary>log(s / (1 − s)) of the score (clamped to [1e-6, 1 − 1e-6]): spreads scores near 0 and 1 apart.</summary>
    Logit,

    /// <summary>1 if the image is judged unsafe, else 0.</summary>
    Decision,
}
