using Probe.Judging;
using Probe.Judging.Specs;
using Probe.Nsfw.Classifier.Specs;
using Probe.Nsfw.Classifier.Tfjs;
using Probe.Runner.Cli;
using Probe.Runner.Config;

namespace Probe.Runner.Evaluation;

/// <summary>Builds the run's judges from their specs; VLM answers are cached under ~/.cache/probe/vlm (PROBE_CACHE overrides).</summary>
public static class JudgeLoading
{
    public static string CacheFolder =>
        Environment.GetEnvironmentVariable("PROBE_CACHE") is { Length: > 0 } root
            ? Path.Combine(root, "vlm")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "probe", "vlm");

    public static IReadOnlyList<IImageJudge> Create(IReadOnlyList<JudgeSpecConfig> specs)
    {
        var context = new JudgeFactoryContext { JudgeCacheFolder = CacheFolder };
        var judges = new List<IImageJudge>();
        try
        {
            foreach (var spec in specs) judges.Add(JudgeFactory.Create(spec.Spec, spec.Threshold, context));
            return judges;
        }
        catch (Exception e) when (e is JudgeSpecException or FileNotFoundException or TfjsModelException)
        {
            foreach (var j in judges) j.Dispose();
            throw new UserError(e.Message, e);
        }
    }
}
