using Probe.Nsfw.Classifier.Benchmark;
using Probe.Tests.Support;

namespace Probe.Tests.Core;

public class JudgeBenchmarkTests
{
    [Test]
    public async Task Warm_up_calls_are_not_timed_and_every_timed_call_is_full_size()
    {
        using var judge = new MeanBrightnessJudge();
        var result = await JudgeBenchmark.RunAsync(judge, batchSize: 3, batches: 4, warmupBatches: 2, imageSize: 16);
        Assert.That(judge.BatchSizes, Is.EqualTo(new[] { 3, 3, 3, 3, 3, 3 }));
        Assert.That(result.CallSeconds, Has.Count.EqualTo(4));
        Assert.That(result.ImagesPerSecond, Is.EqualTo(3 / result.MedianCallSeconds).Within(1e-9));
        Assert.That(result.ToString(), Does.StartWith("brightness batch 3: "));
    }

    [Test]
    public void The_median_ignores_one_slow_call()
    {
        var result = new BenchmarkResult("j", 2, [0.1, 5.0, 0.2], 16, "m");
        Assert.That((result.MedianCallSeconds, result.ImagesPerSecond), Is.EqualTo((0.2, 10.0)));
    }
}
