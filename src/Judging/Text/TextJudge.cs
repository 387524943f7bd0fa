namespace Probe.Judging.Text;

/// <summary>
/// Shared behaviour of the text judges (<see cref="Judge{TItem}"/>). Every text judge speaks for every category
/// (<see cref="HarmCategory.Any"/>): it measures whether the answer does what the request asks, and the request's
/// category comes from the prompt set.
/// </summary>
public abstract class TextJudge(double threshold) : Judge<PromptAnswer>(threshold)
{
    public sealed override HarmCategory Category => HarmCategory.Any;

    protected override string ItemNoun => "answers";

    /// <summary>A verdict of this judge: unsafe when the score reaches the threshold.</summary>
    protected JudgeVerdict Verdict(IReadOnlyDictionary<string, double> scores, double unsafeScore, string? explanation) =>
        new(Identity.Name, HarmCategory.Any, scores, unsafeScore, Decide(unsafeScore), Threshold) { Explanation = explanation };
}
