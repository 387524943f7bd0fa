using System.Text.Json;
using Probe.Grpo;

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

    /// <summary>
    /// The numbers in docs/PERFORMANCE.md: G = 8, T = 20 at 16×16 and 32×32 latents, tiny and medium UNets. Minutes on
    /// two cores, hence explicit: <c>dotnet test tests/Grpo.Diffusion.Tests --filter Name=Full_benchmark</c>; results go
    /// to the test output and to PROBE_BENCH_OUT when set. PROBE_BENCH_THREADS, _MODELS (tiny,medium), _LATENTS (16,32),
    /// _STEPS (T, default 20), _WARMUP (updates, default 1) and _CHECKPOINTING (1: also with gradient checkpointing) narrow it.
    /// </summary>
    [Test]
    [Explicit("minutes of CPU: run by hand for docs/PERFORMANCE.md")]
    public void Full_benchmark()
    {
        var threads = int.TryParse(Environment.GetEnvironmentVariable("PROBE_BENCH_THREADS"), out var t) ? t : (int?)null;
        var models = Environment.GetEnvironmentVariable("PROBE_BENCH_MODELS")?.Split(',') ?? ["tiny", "medium"];
        var steps = int.TryParse(Environment.GetEnvironmentVariable("PROBE_BENCH_STEPS"), out var st) ? st : 20;
        var warmup = int.TryParse(Environment.GetEnvironmentVariable("PROBE_BENCH_WARMUP"), out var w) ? w : 1;
        var latents = Environment.GetEnvironmentVariable("PROBE_BENCH_LATENTS")?.Split(',').Select(int.Parse).ToArray() ?? [16, 32];
        var results = GrpoBenchmark.Run(new GrpoBenchmarkOptions
        {
            PipelineDir = GrpoTestKit.PipelineDir, Threads = threads, Models = models, LatentSizes = latents, Steps = steps, WarmupUpdates = warmup, MeasuredUpdates = 1,
            CompareGradientCheckpointing = Environment.GetEnvironmentVariable("PROBE_BENCH_CHECKPOINTING") == "1",
        }, new SynchronousProgress<string>(line =>
        {
            TestContext.Out.WriteLine(line);
            if (Environment.GetEnvironmentVariable("PROBE_BENCH_OUT") is { Length: > 0 } log) File.AppendAllText(log + ".log", line + "\n");
        }));
        var json = JsonSerializer.Serialize(results, GrpoJson.Options);
        TestContext.Out.WriteLine(json);
        if (Environment.GetEnvironmentVariable("PROBE_BENCH_OUT") is { Length: > 0 } path) File.WriteAllText(path, json);
        Assert.That(results, Is.Not.Empty);
    }
}
