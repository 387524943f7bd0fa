using System.Diagnostics;
using static TorchSharp.torch;

namespace Probe.Core.Benchmarks;

/// <summary>
/// The yardstick model benchmarks are judged against: libtorch's rate for one square matrix product on this machine,
/// device and dtype (2n³ flops per product; the median of the timed repeats after one warm-up).
/// </summary>
public static class MatmulBenchmark
{
    public static MatmulResult Run(int size, ScalarType dtype, Device device, int repeats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentNullException.ThrowIfNull(device);
        using var inference = inference_mode();
        using var a = randn([size, size], dtype: dtype, device: device);
        using var b = randn([size, size], dtype: dtype, device: device);
        var seconds = new List<double>();
        for (var i = 0; i <= Math.Max(1, repeats); i++)
        {
            var watch = Stopwatch.StartNew();
            using (a.matmul(b))
            {
                if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(device);
            }
            if (i > 0) seconds.Add(watch.Elapsed.TotalSeconds);
        }
        var median = seconds.Order().ElementAt(seconds.Count / 2);
        return new MatmulResult(size, dtype, device.ToString(), get_num_threads(), median, 2.0 * size * size * size / median / 1e9);
    }
}

/// <summary>One <see cref="MatmulBenchmark"/> measurement.</summary>
public sealed record MatmulResult(int Size, ScalarType DType, string Device, int Threads, double MedianSeconds, double GigaflopsPerSecond);
