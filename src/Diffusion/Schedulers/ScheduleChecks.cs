using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>Argument and schedule checks shared by the schedulers, with messages that say what to do.</summary>
internal static class ScheduleChecks
{
    public static void StepCount(string scheduler, int numInferenceSteps, int numTrainTimesteps)
    {
        if (numInferenceSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps,
                $"{scheduler}: the number of inference steps must be at least 1");
        if (numInferenceSteps > numTrainTimesteps)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps,
                $"{scheduler}: {numInferenceSteps} inference steps cannot exceed num_train_timesteps = {numTrainTimesteps}");
    }

    /// <summary>
    /// Every timestep must index the training schedule. diffusers' own arithmetic can leave it (trailing spacing with
    /// 61 steps yields timestep −1 through numpy's arange length rule; leading spacing with a steps_offset can
    /// reach num_train_timesteps), where Python would silently wrap or fail mid-run: fail here, before sampling.
    /// </summary>
    public static void InRange(string scheduler, string spacing, int numInferenceSteps, IEnumerable<double> timesteps, int numTrainTimesteps)
    {
        foreach (var t in timesteps)
            if (!(t >= 0 && t <= numTrainTimesteps - 1))
                throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps,
                    $"{scheduler}: timestep_spacing '{spacing}' with {numInferenceSteps} steps gives timestep {t}, outside " +
                    $"[0, {numTrainTimesteps - 1}] (as diffusers 0.27.2 computes it); choose another step count or spacing");
    }

    /// <summary>
    /// Up to two positions of <paramref name="timestep"/> (a single value) in <paramref name="values"/>, in order: the
    /// lookup behind diffusers' index_for_timestep, whose schedulers then differ in what a miss means.
    /// </summary>
    public static int[] TimestepPositions<T>(string scheduler, torch.Tensor timestep, IReadOnlyList<T> values) where T : System.Numerics.INumber<T>
    {
        if (timestep.numel() != 1)
            throw new ArgumentException($"{scheduler}: timestep must be a single value", nameof(timestep));
        var value = ScalarValue(timestep);
        return Enumerable.Range(0, values.Count).Where(k => double.CreateChecked(values[k]) == value).Take(2).ToArray();
    }

    /// <summary>The value of a one-element tensor as a double, on any device.</summary>
    public static double ScalarValue(torch.Tensor tensor)
    {
        using (torch.NewDisposeScope())
            return tensor.detach().to(torch.float64).cpu().item<double>();
    }
}
