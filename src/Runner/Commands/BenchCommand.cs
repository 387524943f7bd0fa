using System.CommandLine;
using System.Globalization;
using Probe.Core;
using Probe.Core.Benchmarks;
using Probe.Core.Torch;
using Probe.Diffusion.Benchmarks;
using Probe.Runner.Cli;
using static TorchSharp.torch;

namespace Probe.Runner.Commands;

/// <summary><c>probe bench …</c>: speed and memory benchmarks; each prints a machine-readable last line.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure speed and memory (results go in docs/PERFORMANCE.md).");
        bench.Subcommands.Add(Unet());
        bench.Subcommands.Add(Judge());
        bench.Subcommands.Add(Pipeline());
        bench.Subcommands.Add(Grpo());
        bench.Subcommands.Add(Matmul());
        return bench;
    }

    /// <summary>The yardstick the UNet's end-to-end rate is judged against: libtorch's square matmul rate here.</summary>
    static Command Matmul()
    {
        var size = new Option<int>("--size") { Description = "Side of the square matrices.", DefaultValueFactory = _ => 2048 };
        var dtype = new Option<string>("--dtype") { Description = "float32, bfloat16 or float16.", DefaultValueFactory = _ => "float32" };
        var repeats = new Option<int>("--repeats") { Description = "Timed products after one warm-up.", DefaultValueFactory = _ => 10 };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("matmul", "GFLOP/s of one square matrix product (the reference rate for the UNet benchmark).") { size, dtype, repeats, device };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var r = MatmulBenchmark.Run(parse.GetValue(size), TorchRuntime.ParseDType(parse.GetValue(dtype)!), TorchRuntime.ParseDevice(parse.GetValue(device)!),
                                        parse.GetValue(repeats));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"matmul: {r.Size}x{r.Size} {r.DType} on {r.Device}, threads {r.Threads}: median {r.MedianSeconds * 1000:F1} ms"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gflops={r.GigaflopsPerSecond:F0}"));
            return 0;
        });
        return command;
    }

    static Command Grpo()
    {
        var models = new Option<string[]>("--model") { Description = "tiny (the bundled test model) and/or medium (block channels 128-256-512-512, random).", DefaultValueFactory = _ => ["tiny", "medium"] };
        var latents = new Option<int[]>("--latent") { Description = "Latent sizes (16 = 128×128 images).", DefaultValueFactory = _ => [16, 32] };
        var group = new Option<int>("--group-size") { Description = "G: images per prompt per update.", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "T: DDIM steps per trajectory.", DefaultValueFactory = _ => 20 };
        var updates = new Option<int>("--updates") { Description = "Timed updates per case after one warm-up.", DefaultValueFactory = _ => 2 };
        var checkpointing = new Option<bool>("--compare-checkpointing") { Description = "Also run each case with gradient checkpointing." };
        var dtype = new Option<string>("--dtype") { Description = "float32, bfloat16 or float16.", DefaultValueFactory = _ => "float32" };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("grpo", "Seconds per GRPO update and peak memory (rollout, judge stand-in, LoRA update).")
        {
            models, latents, group, steps, updates, checkpointing, dtype, device,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var results = Probe.Grpo.Diffusion.Benchmarks.GrpoBenchmark.Run(new Probe.Grpo.Diffusion.Benchmarks.GrpoBenchmarkOptions
            {
                PipelineDir = BundledAssets.TinyModel, Models = parse.GetValue(models)!, LatentSizes = parse.GetValue(latents)!,
                GroupSize = parse.GetValue(group), Steps = parse.GetValue(steps), MeasuredUpdates = Math.Max(1, parse.GetValue(updates)),
                CompareGradientCheckpointing = parse.GetValue(checkpointing), DType = TorchRuntime.ParseDType(parse.GetValue(dtype)!),
                Device = TorchRuntime.ParseDevice(parse.GetValue(device)!),
            }, new SynchronousProgress<string>(output.WriteLine));
            foreach (var r in results)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"grpo: {r.Model} ({r.UnetParameters / 1e6:F1}M) {r.Latent}x{r.Latent} G={r.GroupSize} T={r.Steps}{(r.GradientCheckpointing ? " checkpointing" : "")}: " +
                    $"{r.SecondsPerUpdate:F2} s/update (sampling {r.RolloutSeconds:F2} s, training {r.TrainSeconds:F2} s), {r.ImagesPerSecond:F2} images/s, " +
                    $"peak {r.PeakResidentMiB:F0} MiB"));
            return 0;
        });
        return command;
    }

    static Command Pipeline()
    {
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 512 };
        var steps = new Option<int>("--steps") { Description = "Denoising steps.", DefaultValueFactory = _ => 2 };
        var dtype = new Option<string>("--dtype") { Description = "float32, bfloat16 or float16.", DefaultValueFactory = _ => "float32" };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("pipeline", "Write, load and run a full-size SD 2.1 pipeline with random weights; report time and peak memory.") { size, steps, dtype, device };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var tokenizer = BundledAssets.ClipTokenizer;
            var bench = new PipelineBenchmark(parse.GetValue(size), parse.GetValue(steps), TorchRuntime.ParseDType(parse.GetValue(dtype)!),
                TorchRuntime.ParseDevice(parse.GetValue(device)!), tokenizer);
            var result = bench.Run(output);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"write_s={result.WriteSeconds:F1} load_s={result.LoadSeconds:F1} run_s={result.RunSeconds:F1} peak_rss_mb={result.PeakRssMiB:F0}"));
            return 0;
        });
        return command;
    }

    static Command Judge()
    {
        var model = new Option<string>("--model") { Description = "mobilenet_v2, mobilenet_v2_mid or inception_v3.", DefaultValueFactory = _ => "mobilenet_v2" };
        var batches = new Option<int[]>("--batch") { Description = "Batch sizes to time (repeatable).", DefaultValueFactory = _ => [1, 32] };
        var repeats = new Option<int>("--repeats") { Description = "Timed calls per batch size after one warm-up.", DefaultValueFactory = _ => 3 };
        var command = new Command("judge", "Images per second of a bundled nsfwjs classifier (512×512 inputs, preprocessing included).") { model, batches, repeats };
        command.SetAction(async (parse, cancel) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var name = parse.GetValue(model)!;
            var which = Probe.Nsfw.Classifier.Nsfwjs.NsfwjsModel.Find(name)
                ?? throw new ArgumentException($"unknown nsfwjs model '{name}': use mobilenet_v2, mobilenet_v2_mid or inception_v3");
            var results = await Probe.Nsfw.Classifier.Benchmark.JudgeBenchmark.RunNsfwjsAsync(which, parse.GetValue(batches)!, Math.Max(1, parse.GetValue(repeats)),
                progress: new SynchronousProgress<Probe.Nsfw.Classifier.Benchmark.BenchmarkResult>(r => output.WriteLine(r.ToString())), cancellationToken: cancel);
            output.WriteLine(string.Join(" ", results.Select(r => string.Create(CultureInfo.InvariantCulture, $"images_per_s_b{r.BatchSize}={r.ImagesPerSecond:F2}"))));
            return 0;
        });
        return command;
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
