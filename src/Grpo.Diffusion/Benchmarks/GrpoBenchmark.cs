using Probe.Core.Torch;
using Probe.Diffusion.Models.Unets;
using Probe.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion.Benchmarks;

/// <summary>
/// Times whole GRPO updates (sampling G images × T DDIM steps with guidance, scoring, training every step of every
/// trajectory with LoRA) on small UNets, so speed and memory regressions show up without downloads. The reward is a
/// constant-cost image statistic, so the numbers are the trainer's own. The lead wires this into <c>probe bench grpo</c>.
/// </summary>
public static class GrpoBenchmark
{
    /// <summary>block_out_channels of the "medium" UNet (SD's layout at 2/5 of its width).</summary>
    public static readonly int[] MediumChannels = [128, 256, 512, 512];

    public static IReadOnlyList<GrpoBenchmarkResult> Run(GrpoBenchmarkOptions options, IProgress<string>? log = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Threads is { } threads) set_num_threads(threads);
        var results = new List<GrpoBenchmarkResult>();
        foreach (var model in options.Models)
        {
            if (model is not ("tiny" or "medium")) throw new ArgumentException($"unknown benchmark model '{model}' (tiny, medium)");
            foreach (var latent in options.LatentSizes)
            {
                foreach (var checkpointing in options.CompareGradientCheckpointing ? new[] { false, true } : [false])
                {
                    cancel.ThrowIfCancellationRequested();
                    var result = RunCase(options, model, latent, checkpointing, log, cancel);
                    log?.Report($"grpo bench: {model} {latent}x{latent} latents, G={result.GroupSize}, T={result.Steps}, checkpointing {checkpointing}: " +
                                $"{result.SecondsPerUpdate:F2} s/update (sampling {result.RolloutSeconds:F2} s), {result.ImagesPerSecond:F3} images/s, " +
                                $"peak RSS {result.PeakResidentMiB:F0} MiB");
                    results.Add(result);
                }
            }
        }
        return results;
    }

    static GrpoBenchmarkResult RunCase(GrpoBenchmarkOptions options, string model, int latent, bool checkpointing, IProgress<string>? log, CancellationToken cancel)
    {
        var pipelineOptions = new PipelineOptions { Scheduler = "ddim", DType = options.DType, Device = options.Device, ModelId = model };
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ProcessMemory.ResetPeak();
        using var pipeline = Load(options.PipelineDir, pipelineOptions, model);
        var scale = pipeline.Vae.Config.ScaleFactor;
        var config = new GrpoConfig
        {
            Seed = 1, Updates = options.WarmupUpdates + options.MeasuredUpdates, GroupSize = options.GroupSize, Steps = options.Steps,
            Height = latent * scale, Width = latent * scale, RolloutBatchSize = options.GroupSize, TrainBatchSize = options.GroupSize,
            GradientAccumulationSteps = 1, CheckpointEvery = 0, GradientCheckpointing = checkpointing,
        };
        var parameters = pipeline.Unet.parameters().Sum(p => p.numel());
        log?.Report($"grpo bench: {model} UNet ({parameters / 1e6:F1}M parameters), {latent}x{latent} latents: running {config.Updates} updates");
        var history = new GrpoTrainer(pipeline, new MeanBrightnessReward(), config).Run(["a photograph of a benchmark"], cancel: cancel).History;
        var measured = history.Skip(options.WarmupUpdates).ToArray();
        var seconds = Median(measured.Select(u => u.Seconds));
        var rollout = Median(measured.Select(u => u.RolloutSeconds));
        return new GrpoBenchmarkResult(model, parameters, latent, options.GroupSize, options.Steps, checkpointing,
            pipeline.Device.ToString(), options.DType.ToString().ToLowerInvariant(), get_num_threads(), seconds, rollout, seconds - rollout,
            options.GroupSize / seconds, ProcessMemory.PeakMiB(), measured.Select(u => u.Seconds).ToArray());
    }

    static TextToImagePipeline Load(string dir, PipelineOptions options, string model)
    {
        var pipeline = TextToImagePipeline.FromPretrained(dir, options);
        if (model == "tiny") return pipeline;
        var tiny = pipeline.Unet.Config;
        var config = tiny with
        {
            BlockOutChannels = MediumChannels,
            NumAttentionHeads = MediumChannels.Select(c => c / 64).ToArray(),
            CrossAttentionDim = Enumerable.Repeat(pipeline.TextEncoder.Config.HiddenSize, MediumChannels.Length).ToArray(),
            LayersPerBlock = [2, 2, 2, 2],
        };
        var medium = new UNet2DConditionModel(config, pipeline.Device, options.DType);
        medium.eval();
        // TorchSharp's default initialisation makes a deep random UNet overflow to NaN within a few steps; small
        // normal weights (transformers' 0.02) keep every value finite, so the timing is of real arithmetic.
        using (no_grad())
        using (var g = new Generator(0))
        {
            foreach (var (name, p) in medium.named_parameters())
            {
                using var value = p.dim() > 1 ? normal(0, 0.02, p.shape, dtype: ScalarType.Float32, generator: g)
                    : name.EndsWith("norm.weight", StringComparison.Ordinal) || name.Contains("norm", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal)
                        ? ones(p.shape) : zeros(p.shape);
                p.copy_(value);
            }
            using var probe = medium.forward(randn([1, 4, 8, 8], device: pipeline.Device, dtype: options.DType), tensor(500L),
                                             randn([1, 77, config.CrossAttentionDim[0]], device: pipeline.Device, dtype: options.DType));
            if (!probe.isfinite().all().item<bool>()) throw new InvalidOperationException("the random medium UNet produced non-finite values");
        }
        var replaced = new TextToImagePipeline(pipeline.Tokenizer, pipeline.TextEncoder, medium, pipeline.Vae, pipeline.Scheduler, pipeline.SchedulerName, pipeline.Options);
        pipeline.Unet.Dispose();
        return replaced;
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
