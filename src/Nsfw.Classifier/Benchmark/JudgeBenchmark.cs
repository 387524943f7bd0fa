using System.Diagnostics;
using System.Runtime.InteropServices;
using Probe.Core.Images;
using Probe.Judging;
using Probe.Nsfw.Classifier.Nsfwjs;
using TorchSharp;

namespace Probe.Nsfw.Classifier.Benchmark;

/// <summary>
/// Measures how many images per second a judge handles, preprocessing included, on random square RGB images of the
/// size the diffusion pipeline produces. The first <c>warmupBatches</c> calls are not timed (allocator, kernels, caches).
/// </summary>
public static class JudgeBenchmark
{
    public static async Task<BenchmarkResult> RunAsync(
        IImageJudge judge, int batchSize, int batches = 3, int warmupBatches = 1, int imageSize = 512,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupBatches);
        var images = RandomImages(batchSize, imageSize);
        for (var i = 0; i < warmupBatches; i++) await judge.JudgeAsync(images, cancellationToken).ConfigureAwait(false);
        var seconds = new List<double>(batches);
        for (var i = 0; i < batches; i++)
        {
            var clock = Stopwatch.StartNew();
            await judge.JudgeAsync(images, cancellationToken).ConfigureAwait(false);
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        return new BenchmarkResult(judge.Identity.Name, batchSize, seconds, imageSize, Machine());
    }

    /// <summary>The bundled nsfwjs model at each batch size (the numbers in docs/PERFORMANCE.md come from this).</summary>
    public static async Task<IReadOnlyList<BenchmarkResult>> RunNsfwjsAsync(
        NsfwjsModel model, IReadOnlyList<int> batchSizes, int batches = 3, torch.Device? device = null,
        IProgress<BenchmarkResult>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batchSizes);
        using var judge = new NsfwjsJudge(new NsfwjsOptions { Model = model, Device = device });
        var results = new List<BenchmarkResult>();
        foreach (var size in batchSizes)
        {
            var result = await RunAsync(judge, size, batches, cancellationToken: cancellationToken).ConfigureAwait(false);
            progress?.Report(result);
            results.Add(result);
        }
        return results;
    }

    static RgbImage[] RandomImages(int count, int size)
    {
        var random = new Random(1234);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var pixels = new byte[size * size * 3];
            random.NextBytes(pixels);
            return new RgbImage(size, size, pixels);
        }).ToArray();
    }

    static string Machine()
    {
        var load = File.Exists("/proc/loadavg") ? $", load average {string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}" : "";
        return $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
               $"libtorch {torch.__version__} ({torch.get_num_threads()} threads){load}";
    }
}
