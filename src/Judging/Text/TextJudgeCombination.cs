namespace Probe.Judging.Text;

/// <summary>Several text judges asked about the same answers, e.g. any(refusal, rida:…@0.5).</summary>
public sealed class TextJudgeCombination(IEnumerable<IJudge<PromptAnswer>> members, CombinationMode mode, double? threshold = null)
    : CombinedJudge<IJudge<PromptAnswer>, PromptAnswer>(members, mode, threshold);
