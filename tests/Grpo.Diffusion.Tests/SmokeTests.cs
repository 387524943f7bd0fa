using Probe.Grpo;

namespace Probe.Tests.Grpo;

public class SmokeTests
{
    [Test]
    public void Trainer_runs_and_reports_every_update()
    {
        using var pipeline = GrpoTestKit.LoadPipeline();
        var reports = new List<GrpoUpdate>();
        var trainer = new GrpoTrainer(pipeline, new RednessReward(), GrpoTestKit.Small);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = trainer.Run(GrpoTestKit.Prompts, updates: new SynchronousProgress<GrpoUpdate>(reports.Add));
        TestContext.Out.WriteLine($"{watch.Elapsed.TotalSeconds:F2}s");
        foreach (var r in reports)
            TestContext.Out.WriteLine($"{r.Update}: reward {r.RewardMean:F4}±{r.RewardStd:F4} ratio [{r.RatioMin:G6},{r.RatioMax:G6}] kl {r.ApproxKl:E2} clip {r.ClipFraction:F2} grad {r.GradNorm:F4} lr {r.LearningRate} {r.Seconds:F2}s rollout {r.RolloutSeconds:F2}s threads {TorchSharp.torch.get_num_threads()}");
        Assert.That(reports, Has.Count.EqualTo(3));
        Assert.That(result.History, Has.Count.EqualTo(3));
    }
}
