using Probe.Diffusion.Schedulers;
using static TorchSharp.torch;

namespace Probe.Tests.Grpo;

/// <summary>
/// The log-probability GRPO trains on (DDIM step with η = 1 scoring a given x_{t−1}, the call TrajectoryScorer makes)
/// against the diffusers/ddpo-pytorch reference values of the DDIM fixtures.
/// </summary>
public class LogProbReferenceTests
{
    public static IEnumerable<TestCaseData> Cases() =>
        ReferenceSet.All().SelectMany(dir => Enumerable.Range(0, 3).Select(c =>
            new TestCaseData(dir, c).SetArgDisplayNames(Fixtures.NameOf(dir), $"case{c}")));

    [TestCaseSource(nameof(Cases))]
    public void Scoring_the_reference_eta1_sample_gives_the_reference_log_prob(string dir, int c)
    {
        using var set = new ReferenceSet(dir);
        if (!set.HasExpected($"ddim.case{c}.eta1.log_prob")) Assert.Ignore($"{set.Name} has no ddim.case{c}.eta1.log_prob");
        using var scope = NewDisposeScope();
        // The scheduler the trainer gets: the pipeline's scheduler config loaded as DDIM.
        using var scheduler = (DDIMScheduler)SchedulerFactory.Load(Path.Combine(set.PipelineDir, "scheduler", "scheduler_config.json"), "ddim");
        var meta = set.Meta.TryGetProperty($"ddim.case{c}", out var m) && m.TryGetProperty("num_inference_steps", out var n) ? n.GetInt32() : (int?)null;
        scheduler.SetTimesteps(meta ?? (int)set.Input("ddim.num_inference_steps").item<long>());
        var sample = set.Input("ddim.sample");
        var output = set.Input("ddim.model_output");
        var t = set.Input($"ddim.case{c}.timestep");
        var prev = set.Expected($"ddim.case{c}.eta1.prev_sample");
        // Per-sample timesteps, as the trainer passes them.
        var perSample = t.expand(sample.shape[0]).contiguous();
        var scored = scheduler.Step(output, perSample, sample, eta: 1.0, prevSample: prev);
        set.AssertClose($"ddim.case{c}.eta1.log_prob", scored.LogProb!);
    }
}
