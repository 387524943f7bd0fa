using Probe.Core;
using Probe.Grpo;
using Probe.Grpo.Diffusion;

namespace Probe.Tests.Grpo;

/// <summary>
/// Memory must stay flat over many rollout + update iterations: every code path that allocates per step is on
/// (KL reference pass, gradient checkpointing's custom autograd function, checkpoint writing).
/// </summary>
public class SoakTests
{
    [Test]
    public void Resident_memory_and_live_tensors_stay_flat_over_many_updates()
    {
        using var dir = new TempDir("probe-grpo-soak");
        using var pipeline = GrpoTestKit.LoadPipeline();
        var config = GrpoTestKit.Small with
        {
            Updates = 16, GroupSize = 2, Steps = 3, TrainBatchSize = 2, GradientAccumulationSteps = 1, KlBeta = 0.1,
            GradientCheckpointing = true, CheckpointEvery = 1,
        };
        var rss = new List<double>();
        var live = new List<long>();
        var progress = new SynchronousProgress<GrpoUpdate>(_ =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            rss.Add(ResidentMemory.MiB());
            live.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
        new GrpoTrainer(pipeline, new RednessReward(), config).Run(GrpoTestKit.Prompts, dir.Path, progress);

        const int warmup = 6;
        var growth = rss[^1] - rss[warmup - 1];
        TestContext.Out.WriteLine($"RSS MiB per update: {string.Join(", ", rss.Select(r => r.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}");
        TestContext.Out.WriteLine($"live tensors per update: {string.Join(", ", live)}");
        Assert.Multiple(() =>
        {
            Assert.That(growth, Is.LessThan(16.0), $"RSS grew {growth:F1} MiB over {rss.Count - warmup} updates after warm-up");
            Assert.That(live[^1] - live[warmup - 1], Is.LessThanOrEqualTo(0), "no tensor handles accumulate");
        });
    }
}
