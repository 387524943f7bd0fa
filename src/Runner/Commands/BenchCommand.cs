using System.CommandLine;
using System.Globalization;
using Probe.Diffusion.Torch;
using Probe.Runner.Benchmarks;
using static TorchSharp.torch;

namespace Probe.Runner.Commands;

/// <summary><c>probe bench …</c>: speed and memory benchmarks; each prints a machine-readable last line.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure speed and memory (results go in docs/PERFORMANCE.md).");
        bench.Subcommands.Add(Unet());
        return bench;
    }

    static Command Unet()
    {
        var latent = new Option<int>("--latent") { Description = "Latent side (64 = 512×512 images).", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "UNet batch (2 = one image with classifier-free guidance).", DefaultValueFactory = _ => 2 };
        var dtype = new Option<string>("--dtype") { Description = "float32, bfloat16 or float16.", DefaultValueFactory = _ => "float32" };
        var repeats = new Option<int>("--repeats") { Description = "Timed forwards after one warm-up.", DefaultValueFactory = _ => 3 };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: libtorch's choice)." };
        var channelsLast = new Option<bool>("--channels-last") { Description = "Store activations and conv weights NHWC." };
        var command = new Command("unet", "Time forwards of a full-size SD 2.1 UNet (random weights, no download).")
        {
            latent, batch, dtype, repeats, device, threads, channelsLast,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(threads) is { } n) set_num_threads(n);
            var bench = new UNetBenchmark(parse.GetValue(latent), parse.GetValue(batch), TorchRuntime.ParseDType(parse.GetValue(dtype)!),
                                          TorchRuntime.ParseDevice(parse.GetValue(device)!), Math.Max(1, parse.GetValue(repeats)), parse.GetValue(channelsLast));
            var result = bench.Run(output);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"unet: median {result.MedianSeconds:F2} s, {result.GFlopPerSecond:F0} GFLOP/s ({result.TeraFlopPerForward:F3} TFLOP per forward)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median_s={result.MedianSeconds:F3} peak_rss_mb={result.PeakRssMiB:F0}"));
            return 0;
        });
        return command;
    }
}
