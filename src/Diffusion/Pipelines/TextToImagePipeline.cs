using Probe.Core.Configuration;
using Probe.Diffusion.Images;
using Probe.Diffusion.Models.Autoencoders;
using Probe.Diffusion.Models.TextEncoders;
using Probe.Diffusion.Models.Unets;
using Probe.Diffusion.Schedulers;
using Probe.Diffusion.Tokenizers;
using static TorchSharp.torch;

namespace Probe.Diffusion.Pipelines;

/// <summary>
/// Stable Diffusion text-to-image, composed like diffusers' <c>StableDiffusionPipeline</c>: encode the prompts,
/// draw each image's latents from its own seeded generator, denoise with classifier-free guidance, decode.
/// It owns only the loop; per-step state goes to the step callback (the trajectory GRPO trains on).
/// </summary>
public sealed class TextToImagePipeline : IDisposable
{
    public TextToImagePipeline(CLIPTokenizer tokenizer, CLIPTextModel textEncoder, UNet2DConditionModel unet, AutoencoderKL vae,
                               IScheduler scheduler, string schedulerName, PipelineOptions options)
    {
        Tokenizer = tokenizer;
        TextEncoder = textEncoder;
        Unet = unet;
        Vae = vae;
        Scheduler = scheduler;
        SchedulerName = schedulerName;
        Options = options;
        Device = options.Device ?? CPU;
    }

    public CLIPTokenizer Tokenizer { get; }
    public CLIPTextModel TextEncoder { get; }
    public UNet2DConditionModel Unet { get; }
    public AutoencoderKL Vae { get; }
    public IScheduler Scheduler { get; }
    public string SchedulerName { get; }
    public PipelineOptions Options { get; }
    public Device Device { get; }
    public ScalarType DType => Options.DType;
    public string ModelId => Options.ModelId ?? "unknown";

    /// <summary>Prompts that were cut to the tokenizer's length, with the dropped text (diffusers warns the same way).</summary>
    public event Action<string, string>? PromptTruncated;

    /// <summary>
    /// Loads a diffusers pipeline folder (<c>model_index.json</c>, tokenizer, text_encoder, unet, vae, scheduler).
    /// </summary>
    public static TextToImagePipeline FromPretrained(string folder, PipelineOptions? options = null)
    {
        options ??= new PipelineOptions();
        var index = Path.Combine(folder, "model_index.json");
        CheckModelIndex(index);
        var device = options.Device ?? CPU;
        options = options with { ModelId = options.ModelId ?? Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/')) };

        var tokenizer = CLIPTokenizer.FromPretrained(Path.Combine(folder, "tokenizer"));
        var textEncoder = CLIPTextModel.FromPretrained(Path.Combine(folder, "text_encoder"), options.DType, device, options.Variant);
        UNet2DConditionModel? unet = null;
        AutoencoderKL? vae = null;
        IScheduler? scheduler = null;
        try
        {
            unet = UNet2DConditionModel.FromPretrained(Path.Combine(folder, "unet"), options.DType, device, options.Variant);
            var vaeConfig = AutoencoderKLConfig.FromFile(Path.Combine(folder, "vae", "config.json"));
            // fp16 overflows in the SD VAE; diffusers upcasts it (force_upcast) and so do we. bfloat16 has the range.
            var vaeDType = options.DType == ScalarType.Float16 && vaeConfig.ForceUpcast ? ScalarType.Float32 : options.DType;
            vae = AutoencoderKL.FromPretrained(Path.Combine(folder, "vae"), vaeDType, device, options.Variant);
            var schedulerConfig = Path.Combine(folder, "scheduler", "scheduler_config.json");
            scheduler = SchedulerFactory.Load(schedulerConfig, options.Scheduler);
            var name = options.Scheduler ?? NameOf(scheduler);
            return new TextToImagePipeline(tokenizer, textEncoder, unet, vae, scheduler, name, options);
        }
        catch
        {
            textEncoder.Dispose();
            unet?.Dispose();
            vae?.Dispose();
            scheduler?.Dispose();
            throw;
        }
    }

    static string NameOf(IScheduler scheduler) => scheduler switch
    {
        DDIMScheduler => "ddim",
        EulerDiscreteScheduler => "euler",
        DPMSolverMultistepScheduler => "dpmpp2m",
        _ => scheduler.GetType().Name,
    };

    static void CheckModelIndex(string path)
    {
        var config = ConfigJson.Load(path);
        var folder = Path.GetDirectoryName(path)!;
        foreach (var component in new[] { "tokenizer", "text_encoder", "unet", "vae", "scheduler" })
        {
            if (!config.Has(component))
                throw new ConfigException(path, component, "is missing: a Stable Diffusion pipeline needs tokenizer, text_encoder, unet, vae and scheduler");
            if (!Directory.Exists(Path.Combine(folder, component)))
                throw new ConfigException(path, component, $"is listed but the folder {Path.Combine(folder, component)} does not exist");
        }
        var cls = config.String("_class_name");
        if (cls is not null && !cls.StartsWith("StableDiffusion", StringComparison.Ordinal))
            throw new ConfigException(path, "_class_name", $"= '{cls}': only Stable Diffusion 1.x/2.x text-to-image pipelines are supported");
    }

    /// <summary>Text encoder states [n,77,D] for <paramref name="prompts"/>, in the model dtype.</summary>
    public Tensor EncodePrompts(IReadOnlyList<string> prompts)
    {
        using var scope = NewDisposeScope();
        var encoded = Tokenizer.EncodePrompts(prompts);
        for (var i = 0; i < encoded.Count; i++)
            if (encoded[i].IsTruncated) PromptTruncated?.Invoke(prompts[i], Tokenizer.Decode(encoded[i].TruncatedIds));
        var ids = stack(encoded.Select(e => tensor(e.InputIds, dtype: ScalarType.Int64)).ToArray()).to(Device);
        using var noGrad = no_grad();
        return TextEncoder.Encode(ids, Options.ClipSkip).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The guided model output for latents x_t [b,C,h,w] at a timestep (scalar, or [b] with one per sample):
    /// ε_u + g·(ε_c − ε_u) with the UNet run once on the
    /// concatenation [uncond; cond] (context = cat(negative, prompt) as in diffusers), or just ε_c when g ≤ 1.
    /// Differentiable: GRPO calls it with gradients on.
    /// </summary>
    public Tensor PredictNoise(Tensor latents, Tensor timestep, Tensor promptEmbeds, Tensor negativeEmbeds, double guidanceScale)
    {
        using var scope = NewDisposeScope();
        var guided = guidanceScale > 1.0;
        var input = Scheduler.ScaleModelInput(latents, timestep);
        var modelInput = (guided ? cat([input, input]) : input).to(DType);
        var context = guided ? cat([negativeEmbeds, promptEmbeds]) : promptEmbeds;
        // Per-sample timesteps ([b], as GRPO re-scores shuffled steps) are repeated for the doubled batch.
        var t = guided && timestep.numel() > 1 ? cat([timestep, timestep]) : timestep;
        var output = Unet.forward(modelInput, t, context).to(ScalarType.Float32);
        if (!guided) return output.MoveToOuterDisposeScope();
        var parts = output.chunk(2);
        return (parts[0] + (parts[1] - parts[0]) * guidanceScale).MoveToOuterDisposeScope();
    }

    /// <summary>Generates the requested images. <paramref name="onStep"/> sees every denoising step of every batch.</summary>
    public TextToImageResult Generate(TextToImageRequest request, Action<DenoisingStep>? onStep = null,
                                      IProgress<DenoisingProgress>? progress = null, CancellationToken cancel = default)
    {
        request.Validate();
        var scale = Vae.Config.ScaleFactor;
        var height = request.Height ?? Unet.Config.SampleSize * scale;
        var width = request.Width ?? Unet.Config.SampleSize * scale;
        if (height % scale != 0 || width % scale != 0)
            throw new ArgumentException($"image size {width}x{height} must be a multiple of {scale} (the VAE's scale factor)");
        if (request.Eta > 0 && Scheduler is not DDIMScheduler)
            throw new ArgumentException($"eta applies to the DDIM scheduler only; this pipeline uses {SchedulerName}");
        var (h, w) = (height / scale, width / scale);
        var channels = Unet.Config.InChannels;
        var total = request.ImageCount;

        using var noGrad = no_grad();
        // Every distinct text, prompt or negative prompt, goes through the text encoder once, whatever the number of
        // images per prompt (the empty negative prompt is usually shared by all).
        var negatives = Enumerable.Range(0, request.Prompts.Count).Select(i => request.NegativePromptOf(i) ?? "").ToList();
        var texts = request.Prompts.Concat(negatives).Distinct(StringComparer.Ordinal).ToList();
        var rowOf = texts.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => (long)x.i, StringComparer.Ordinal);
        using var embeds = EncodePrompts(texts);

        var images = new List<Tensor>();
        var latentsOut = new List<Tensor>();
        var totalSteps = request.Steps * (int)Math.Ceiling(total / (double)request.BatchSize);
        var stepsDone = 0;
        try
        {
            for (var first = 0; first < total; first += request.BatchSize)
            {
                cancel.ThrowIfCancellationRequested();
                var count = Math.Min(request.BatchSize, total - first);
                using var batchScope = NewDisposeScope();
                var generators = Enumerable.Range(first, count).Select(i => new Generator((ulong)request.SeedOf(i))).ToArray();
                try
                {
                    var prompts = Enumerable.Range(first, count).Select(i => i / request.ImagesPerPrompt).ToArray();
                    var cond = embeds.index_select(0, tensor(prompts.Select(p => rowOf[request.Prompts[p]]).ToArray(), device: Device));
                    var uncond = embeds.index_select(0, tensor(prompts.Select(p => rowOf[negatives[p]]).ToArray(), device: Device));

                    var noise = request.Latents is not null
                        ? request.Latents[first..(first + count)].to(ScalarType.Float32).to(Device)
                        : cat(generators.Select(g => randn([1, channels, h, w], dtype: ScalarType.Float32, generator: g)).ToArray()).to(Device);
                    Scheduler.SetTimesteps(request.Steps, Device);
                    var latents = noise * Scheduler.InitNoiseSigma;
                    var timesteps = Scheduler.Timesteps;
                    for (var s = 0; s < timesteps.shape[0]; s++)
                    {
                        cancel.ThrowIfCancellationRequested();
                        using var stepScope = NewDisposeScope();
                        var t = timesteps[s];
                        var eps = PredictNoise(latents, t, cond, uncond, request.GuidanceScale);
                        var step = StepScheduler(eps, t, latents, request.Eta, generators, h, w, channels);
                        onStep?.Invoke(new DenoisingStep
                        {
                            FirstImage = first, StepIndex = s, StepCount = (int)timesteps.shape[0], Timestep = t, Latents = latents,
                            NextLatents = step.PrevSample, NoisePrediction = eps, Mean = (step as DDIMStepOutput)?.PrevSampleMean,
                            Std = (step as DDIMStepOutput)?.StdDevT, LogProb = (step as DDIMStepOutput)?.LogProb,
                        });
                        latents = step.PrevSample.to(ScalarType.Float32).MoveToOuterDisposeScope();
                        progress?.Report(new DenoisingProgress(++stepsDone, totalSteps, first, total));
                    }

                    latentsOut.Add(latents.to(CPU).MoveToOuterDisposeScope());
                    if (request.Decode)
                    {
                        var decoded = Vae.Decode((latents / Vae.Config.ScalingFactor).to(Vae.DType));
                        images.Add((decoded.to(ScalarType.Float32) / 2 + 0.5).clamp(0, 1).to(CPU).MoveToOuterDisposeScope());
                    }
                    progress?.Report(new DenoisingProgress(stepsDone, totalSteps, first + count, total));
                }
                finally
                {
                    foreach (var g in generators) g.Dispose();
                }
            }

            var parameters = Enumerable.Range(0, total).Select(i => new GenerationParameters
            {
                Prompt = request.Prompts[i / request.ImagesPerPrompt],
                NegativePrompt = request.NegativePromptOf(i / request.ImagesPerPrompt),
                Seed = request.SeedOf(i), Steps = request.Steps, GuidanceScale = request.GuidanceScale, Scheduler = SchedulerName,
                Width = width, Height = height, Model = ModelId, Eta = request.Eta, DType = DType.ToString().ToLowerInvariant(),
            }).ToList();
            var allImages = request.Decode ? cat(images.ToArray()) : null;
            return new TextToImageResult(allImages, cat(latentsOut.ToArray()), parameters);
        }
        finally
        {
            foreach (var t in images) t.Dispose();
            foreach (var t in latentsOut) t.Dispose();
        }
    }

    /// <summary>
    /// Advances the scheduler. DDIM with η &gt; 0 draws each image's variance noise from that image's own generator
    /// (as diffusers does with a list of generators), so an image's trajectory does not depend on its batch.
    /// </summary>
    SchedulerStepOutput StepScheduler(Tensor eps, Tensor t, Tensor latents, double eta, Generator[] generators, long h, long w, long channels)
    {
        if (Scheduler is DDIMScheduler ddim)
        {
            if (eta == 0) return ddim.Step(eps, t, latents);
            var z = cat(generators.Select(g => randn([1, channels, h, w], dtype: ScalarType.Float32, generator: g)).ToArray()).to(Device);
            return ddim.Step(eps, t, latents, eta, varianceNoise: z);
        }
        return Scheduler.Step(eps, t, latents);
    }

    public void Dispose()
    {
        TextEncoder.Dispose();
        Unet.Dispose();
        Vae.Dispose();
        Scheduler.Dispose();
    }
}
