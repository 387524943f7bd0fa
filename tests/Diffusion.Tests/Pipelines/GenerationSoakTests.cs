

using Probe.Diffusion.Pipelines;

namespace Probe.Tests;

/// <summary>Memory stays flat over many generations: every step and batch of the pipeline lives in a dispose scope.</summary>
public class GenerationSoakTests
{
    [Test]
    public void Resident_memory_and_live_tensors_stay_flat_over_many_generations()
    {
        using var pipeline = TextToImagePipeline.FromPretrained(Path.Combine(ReferenceSet.All().First(), "pipeline"), new PipelineOptions { Scheduler = "ddim" });
        var rss = new List<double>();
        var live = new List<long>();
        for (var i = 0; i < 30; i++)
        {
            using (var result = pipeline.Generate(new TextToImageRequest
            {
                Prompts = ["a red fox", "a city at night"], ImagesPerPrompt = 2, Steps = 4, Eta = 1.0, Seed = i, BatchSize = 2,
            }, step => _ = step.LogProb!.sum().item<float>()))
            {
                Assert.That(result.Images!.shape[0], Is.EqualTo(4));
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            rss.Add(ResidentMemory.MiB());
            live.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        const int warmup = 10;
        TestContext.Out.WriteLine($"RSS MiB: {string.Join(", ", rss.Select(r => r.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}");
        TestContext.Out.WriteLine($"live tensors: {string.Join(", ", live)}");
        Assert.Multiple(() =>
        {
            Assert.That(rss[^1] - rss[warmup - 1], Is.LessThan(8.0), "RSS growth over 20 generations after warm-up (MiB)");
            Assert.That(live[^1] - live[warmup - 1], Is.LessThanOrEqualTo(0), "no tensor handles accumulate");
        });
    }
}
