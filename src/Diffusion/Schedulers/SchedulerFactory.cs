namespace Probe.Diffusion.Schedulers;

/// <summary>
/// Builds schedulers from a pipeline's scheduler config, like diffusers'
/// <c>SomeScheduler.from_config(pipe.scheduler.config)</c>: the config's shared keys (beta schedule, prediction
/// type, timestep spacing, …) carry over, keys the chosen scheduler does not take are ignored, and keys the config
/// lacks take that scheduler's defaults.
/// </summary>
public static class SchedulerFactory
{
    /// <summary>Scheduler names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ddim", "euler", "dpmpp2m"];

    /// <summary>
    /// <c>ddim</c> → <see cref="DDIMScheduler"/>, <c>euler</c> → <see cref="EulerDiscreteScheduler"/>,
    /// <c>dpmpp2m</c> → <see cref="DPMSolverMultistepScheduler"/> forced to DPM-Solver++ of order 2
    /// (<c>algorithm_type = "dpmsolver++"</c>, <c>solver_order = 2</c>; every other key from the config).
    /// </summary>
    public static IScheduler Create(string name, SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(config);
        return name.Trim().ToLowerInvariant() switch
        {
            "ddim" => new DDIMScheduler(config),
            "euler" => new EulerDiscreteScheduler(config),
            "dpmpp2m" => new DPMSolverMultistepScheduler(config with { AlgorithmType = "dpmsolver++", SolverOrder = 2 }),
            _ => throw new ArgumentException($"unknown scheduler '{name}': use one of {string.Join(", ", Names)}", nameof(name)),
        };
    }

    /// <summary>The scheduler the config was written for, chosen by its <c>_class_name</c>.</summary>
    public static IScheduler FromConfig(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ClassName switch
        {
            DDIMScheduler.ClassName => new DDIMScheduler(config),
            EulerDiscreteScheduler.ClassName => new EulerDiscreteScheduler(config),
            DPMSolverMultistepScheduler.ClassName => new DPMSolverMultistepScheduler(config),
            null => throw new SchedulerConfigException(
                $"the scheduler config has no _class_name; choose a scheduler by name ({string.Join(", ", Names)})"),
            var other => throw new SchedulerConfigException(
                $"scheduler class '{other}' is not supported; supported: {DDIMScheduler.ClassName}, " +
                $"{EulerDiscreteScheduler.ClassName}, {DPMSolverMultistepScheduler.ClassName}; or choose one by name " +
                $"({string.Join(", ", Names)}) to run it from this config"),
        };
    }

    /// <summary>
    /// Reads <c>scheduler_config.json</c> at <paramref name="path"/> and builds <paramref name="name"/>, or the
    /// config's own class when <paramref name="name"/> is null.
    /// </summary>
    public static IScheduler Load(string path, string? name = null)
    {
        var config = SchedulerConfig.Load(path);
        return name is null ? FromConfig(config) : Create(name, config);
    }
}
