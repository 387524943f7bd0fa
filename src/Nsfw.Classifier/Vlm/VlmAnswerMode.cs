namespace Probe.Nsfw.Classifier.Vlm;

/// <summary>How a vision-LLM judge is asked to answer.</summary>
public enum VlmAnswerMode
{
    /// <summary>A harmfulness score in [0,1] for one category: {"score": 0.8, "category": "violence", "reason": "…"}.</summary>
    Score,

    /// <summary>ImageGuard-style: {"verdict": "unsafe", "category": "hate", "reason": "…"}; unsafe counts as 1, safe as 0.</summary>
    Guard,
}
