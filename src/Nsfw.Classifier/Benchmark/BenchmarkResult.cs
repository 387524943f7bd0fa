using System.Globalization;

namespace Probe.Nsfw.Classifier.Benchmark;

/// <summary>Throughput of one judge at one batch size.</summary>
/// <param name="Judge">The judge's name.</param>
/// <param name="BatchSize">Images per call.</param>
/// <param name="CallSeconds">Wall time of each timed call (warm-up excluded), in order.</param>
/// <param name="ImageSize">Side of the square test images (they are preprocessed by the judge, as real ones are).</param>
/// <param name="Machine">Cores, OS, runtime and the load average while it ran, in words.</param>
public sealed record BenchmarkResult(string Judge, int BatchSize, IReadOnlyList<double> CallSeconds, int ImageSize, string Machine)
{
    /// <summary>The median call: robust against other processes stealing the CPU for a moment.</summary>
    public double MedianCallSeconds
    {
        get
        {
            var sorted = CallSeconds.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }

    /// <summary>Images per second at the median call time.</summary>
    public double ImagesPerSecond => BatchSize / MedianCallSeconds;

    public double MillisecondsPerImage => MedianCallSeconds * 1000 / BatchSize;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Judge} batch {BatchSize}: {ImagesPerSecond:0.00} images/s ({MillisecondsPerImage:0.0} ms/image; median of {CallSeconds.Count} calls on {ImageSize}x{ImageSize} images, " +
        $"fastest {CallSeconds.Min():0.000} s, slowest {CallSeconds.Max():0.000} s per call)");
}
