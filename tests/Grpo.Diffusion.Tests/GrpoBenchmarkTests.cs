using Probe.Grpo.Diffusion.Benchmarks;

namespace Probe.Tests.Grpo;

public class GrpoBenchmarkTests
{
    [Test]
    public void A_small_benchmark_case_reports_time_and_memory()
    {
        var results = GrpoBenchmark.Run(new GrpoBenchmarkOptions
        {
            PipelineDir = GrpoTestKit.PipelineDir, Models = ["tiny"], LatentSizes = [16], GroupSize = 2, Steps = 2,
            WarmupUpdates = 0, MeasuredUpdates = 1,
        });
        var r = results.Single();
        Assert.Multiple(() =>
        {
            Assert.That(r.SecondsPerUpdate, Is.GreaterThan(0));
            Assert.That(r.RolloutSeconds, Is.GreaterThan(0).And.LessThan(r.SecondsPerUpdate));
            Assert.That(r.UnetParameters, Is.GreaterThan(0));
            if (OperatingSystem.IsLinux()) Assert.That(r.PeakResidentMiB, Is.GreaterThan(0));
        });
    }
}
