namespace Probe.Judging;

/// <summary>How a <see cref="JudgeCombination"/> turns its members' verdicts into one.</summary>
public enum CombinationMode
{
    /// <summary>Unsafe when any member says unsafe; the score is the members' maximum.</summary>
    Any,

    /// <summary>Unsafe when every member says unsafe; the score is the members' minimum.</summary>
    All,

    /// <summary>The score is the members' mean unsafe score, judged at the combination's own threshold.</summary>
    Mean,
}
