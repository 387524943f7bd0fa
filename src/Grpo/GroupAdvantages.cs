
namespace Probe.Grpo;

/// <summary>
/// GRPO's group-relative advantage: each image's reward against the other images generated for the same prompt in
/// the same update, A = (r − mean_group) / (std_group + ε), with the population standard deviation (ddof 0, as
/// ddpo-pytorch and Flow-GRPO compute it with numpy). A group whose rewards are all equal gets zero advantages.
/// </summary>
public static class GroupAdvantages
{
    /// <param name="rewards">One reward per trajectory.</param>
    /// <param name="groups">The group (prompt slot) of each trajectory.</param>
    /// <param name="epsilon">ε added to the standard deviation.</param>
    public static double[] Compute(IReadOnlyList<double> rewards, IReadOnlyList<int> groups, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(groups);
        if (rewards.Count != groups.Count) throw new ArgumentException($"{rewards.Count} rewards but {groups.Count} group labels");
        var advantages = new double[rewards.Count];
        foreach (var group in groups.Distinct())
        {
            var members = Enumerable.Range(0, rewards.Count).Where(i => groups[i] == group).ToArray();
            var (mean, std) = Statistics.MeanStd(members.Select(i => rewards[i]).ToArray());
            foreach (var i in members) advantages[i] = (rewards[i] - mean) / (std + epsilon);
        }
        return advantages;
    }

    /// <summary>Clips to ±<paramref name="clipMax"/> and, when <paramref name="positiveOnly"/>, zeroes negative advantages.</summary>
    public static double[] Shape(IReadOnlyList<double> advantages, double clipMax, bool positiveOnly)
    {
        ArgumentNullException.ThrowIfNull(advantages);
        return advantages.Select(a => Math.Clamp(a, -clipMax, clipMax)).Select(a => positiveOnly ? Math.Max(a, 0) : a).ToArray();
    }
}
