namespace Probe.Grpo;

/// <summary>
/// One update's samples: G per prompt slot, prompt-major (sample n belongs to slot n / G). What each sample is (a
/// denoising trajectory, a completion) is the policy's business; the trainer needs only the grouping.
/// </summary>
public interface IGrpoRollout : IDisposable
{
    /// <summary>The prompt of each slot (group), in order.</summary>
    IReadOnlyList<string> Prompts { get; }

    int GroupSize { get; }
}

/// <summary>Grouping helpers every rollout shares.</summary>
public static class GrpoRollouts
{
    public static int Count(this IGrpoRollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return rollout.Prompts.Count * rollout.GroupSize;
    }

    /// <summary>Slot (group) of each sample.</summary>
    public static int[] Groups(this IGrpoRollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return Enumerable.Range(0, rollout.Count()).Select(n => n / rollout.GroupSize).ToArray();
    }

    /// <summary>Prompt text of each sample.</summary>
    public static string[] SamplePrompts(this IGrpoRollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return Enumerable.Range(0, rollout.Count()).Select(n => rollout.Prompts[n / rollout.GroupSize]).ToArray();
    }
}
