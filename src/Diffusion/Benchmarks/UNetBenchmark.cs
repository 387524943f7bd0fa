using System.Diagnostics;
using Probe.Core.Torch;
using Probe.Diffusion.Models.Unets;
using static TorchSharp.torch;

namespace Probe.Diffusion.Benchmarks;

/// <summary>
/// Times UNet forwards with the full SD 2.1 architecture (865M parameters, random weights: speed does not depend on
/// their values), after one warm-up, and reports the median, the FLOP rate and the peak resident memory.
/// </summary>
public sealed record UNetBenchmark(int Latent, int Batch, ScalarType DType, Device Device, int Repeats, bool ChannelsLast)
{
    public sealed record Result(double[] Seconds, double MedianSeconds, double TeraFlopPerForward, double GFlopPerSecond, double PeakRssMiB);

    public Result Run(TextWriter log)
    {
        var config = UNet2DConditionConfig.StableDiffusion21;
        var flops = UNetFlops.Forward(config, Latent, Latent, Batch);
        log.WriteLine($"unet: SD 2.1 config, latent {Latent}x{Latent}, batch {Batch}, {DType}, {Device}, threads {get_num_threads()}, " +
                      $"channels-last {ChannelsLast}, {flops / 1e12:F3} TFLOP per forward");

        var build = Stopwatch.StartNew();
        manual_seed(0);
        using var unet = new UNet2DConditionModel(config, Device, DType);
        unet.eval();
        if (ChannelsLast) MemoryLayout.ToChannelsLast(unet);
        log.WriteLine($"unet: built in {build.Elapsed.TotalSeconds:F1} s, {unet.parameters().Sum(p => p.numel()) / 1e6:F0}M parameters");

        using var inference = inference_mode();
        using var sample = MemoryLayout.Prepare(randn([Batch, 4, Latent, Latent], dtype: DType, device: Device), ChannelsLast);
        using var timestep = tensor(500L, device: Device);
        using var context = randn([Batch, 77, config.CrossAttentionDim[0]], dtype: DType, device: Device);

        var seconds = new List<double>();
        for (var i = 0; i <= Repeats; i++)
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            var output = unet.forward(sample, timestep, context);
            if (Device.type == TorchSharp.DeviceType.CUDA) TorchSharp.torch.cuda.synchronize(Device);
            _ = output.sum().to(ScalarType.Float32).item<float>();
            watch.Stop();
            var label = i == 0 ? "warm-up" : $"run {i}";
            log.WriteLine($"unet: {label} {watch.Elapsed.TotalSeconds:F2} s");
            if (i > 0) seconds.Add(watch.Elapsed.TotalSeconds);
        }
        var sorted = seconds.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new Result(seconds.ToArray(), median, flops / 1e12, flops / median / 1e9, ProcessMemory.PeakMiB() ?? ProcessMemory.CurrentMiB());
    }
}
