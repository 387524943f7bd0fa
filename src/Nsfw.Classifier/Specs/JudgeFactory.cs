using Probe.Judging;
using Probe.Judging.Specs;
using Probe.Nsfw.Classifier.Nsfwjs;
using Probe.Nsfw.Classifier.Onnx;
using Probe.Nsfw.Classifier.Vlm;
using TorchSharp;

namespace Probe.Nsfw.Classifier.Specs;

/// <summary>
/// Turns judge specs (<see cref="JudgeSpecParser"/>) into judges. Options per kind:
/// <list type="bullet">
/// <item>nsfwjs: unsafe=Porn+Hentai (classes summed), suggestive=Sexy|none, device=cpu|cuda[:N], dtype=float32|float16, models=&lt;folder&gt;</item>
/// <item>onnx: ep=cpu|cuda, fallback=true|false (CPU when CUDA is unavailable)</item>
/// <item>nudenet: ep, fallback, unsafe=CLASS+CLASS, size=&lt;input size when the model does not fix it&gt;</item>
/// <item>vlm: category=&lt;harm category|any&gt;, mode=score|guard, cache=&lt;folder&gt;|none, timeout=&lt;s&gt;, attempts=&lt;n&gt;,
/// concurrency=&lt;n&gt;, rpm=&lt;requests per minute&gt;, json=true|false, key-env=&lt;variable holding the API key&gt;</item>
/// </list>
/// </summary>
public static class JudgeFactory
{
    /// <summary>The image judge kinds: nsfwjs, onnx, nudenet and vlm, combined with <see cref="JudgeCombination"/>.</summary>
    public static JudgeRegistry<IImageJudge> Registry { get; } = new JudgeRegistry<IImageJudge>((members, mode, threshold) => new JudgeCombination(members, mode, threshold))
        .Register(new JudgeKind("nsfwjs", JudgeArgument.OptionalName, ["unsafe", "suggestive", "device", "dtype", "models"],
                                "nsfwjs[:mobilenet_v2|mobilenet_v2_mid|inception_v3]"), Nsfwjs)
        .Register(new JudgeKind("onnx", JudgeArgument.RequiredPath, ["ep", "fallback"], "onnx:<sidecar.json>"),
                  (spec, context) => OnnxClassifierJudge.Load(context.PathOf(spec.Argument!), Provider(spec), spec.Flag("fallback", false), spec.Threshold, context.Logger))
        .Register(new JudgeKind("nudenet", JudgeArgument.RequiredPath, ["ep", "fallback", "unsafe", "size"], "nudenet:<model.onnx>"), NudeNet)
        .Register(new JudgeKind("vlm", JudgeArgument.EndpointAndModel,
                                ["category", "mode", .. EndpointSpecOptions.Names], "vlm:<endpoint-url>,<model>"), Vlm);

    public static JudgeSpec Parse(string spec) => Registry.Parse(spec);

    public static IImageJudge Create(string spec, JudgeFactoryContext? context = null) => Registry.Create(spec, context);

    /// <summary>
    /// Like <see cref="Create(string, JudgeFactoryContext?)"/>, with a threshold from elsewhere (e.g. a run config) used
    /// when the spec has no @threshold of its own.
    /// </summary>
    public static IImageJudge Create(string spec, double? threshold, JudgeFactoryContext? context = null) => Registry.Create(spec, threshold, context);

    public static IImageJudge Create(JudgeSpec spec, JudgeFactoryContext? context = null) => Registry.Create(spec, context);

    static NsfwjsJudge Nsfwjs(JudgeSpec spec, JudgeFactoryContext context)
    {
        var model = spec.Argument is null ? NsfwjsModel.MobileNetV2 : NsfwjsModel.Find(spec.Argument)
            ?? throw new JudgeSpecException(spec.Text, $"unknown nsfwjs model '{spec.Argument}'; use {string.Join(", ", NsfwjsModel.All.Select(m => m.Name))}");
        var options = new NsfwjsOptions
        {
            Model = model,
            ModelsRoot = spec.Option("models") is { } root ? context.PathOf(root) : null,
            Threshold = spec.Threshold ?? 0.5,
            Device = spec.Option("device") is { } d ? Device(spec, d) : null,
            DType = spec.Option("dtype")?.ToLowerInvariant() switch
            {
                null or "float32" or "fp32" => torch.ScalarType.Float32,
                "float16" or "fp16" => torch.ScalarType.Float16,
                "bfloat16" or "bf16" => torch.ScalarType.BFloat16,
                var other => throw new JudgeSpecException(spec.Text, $"dtype '{other}' is not float32, float16 or bfloat16"),
            },
        };
        if (spec.Option("unsafe") is { } u) options = options with { UnsafeClasses = u.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) };
        if (spec.Option("suggestive") is { } s) options = options with { SuggestiveClass = s.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : s };
        try
        {
            return new NsfwjsJudge(options);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new JudgeSpecException(spec.Text, e.Message, e);
        }
    }

    static NudeNetJudge NudeNet(JudgeSpec spec, JudgeFactoryContext context)
    {
        var options = new NudeNetOptions
        {
            ModelPath = context.PathOf(spec.Argument!),
            Threshold = spec.Threshold ?? 0.5,
            Provider = Provider(spec),
            FallbackToCpu = spec.Flag("fallback", false),
            InputSize = spec.Whole("size", 320, 32, 4096),
        };
        if (spec.Option("unsafe") is { } u) options = options with { UnsafeClasses = u.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) };
        return new NudeNetJudge(options, context.Logger);
    }

    static VlmJudge Vlm(JudgeSpec spec, JudgeFactoryContext context)
    {
        var category = spec.Option("category") is { } c
            ? HarmCategories.TryParse(c, out var parsed) ? parsed : throw new JudgeSpecException(spec.Text, $"category '{c}' is not one of: {HarmCategories.ValidNames}")
            : HarmCategory.Sexual;
        var mode = spec.Option("mode")?.ToLowerInvariant() switch
        {
            null or "score" => VlmAnswerMode.Score,
            "guard" => VlmAnswerMode.Guard,
            var other => throw new JudgeSpecException(spec.Text, $"mode '{other}' is not score or guard"),
        };
        var options = new VlmJudgeOptions
        {
            Model = spec.Model!,
            Endpoint = new Uri(spec.Argument!),
            Category = category,
            Mode = mode,
            Threshold = spec.Threshold ?? 0.5,
            CacheFolder = EndpointSpecOptions.CacheFolder(spec, context),
            Policy = EndpointSpecOptions.Policy(spec),
            RequestJsonFormat = spec.Flag("json", true),
        };
        return VlmJudge.Create(options, EndpointSpecOptions.ApiKey(spec, context), context.Logger);
    }

    static ExecutionProvider Provider(JudgeSpec spec) => spec.Option("ep")?.ToLowerInvariant() switch
    {
        null or "cpu" => ExecutionProvider.Cpu,
        "cuda" or "gpu" => ExecutionProvider.Cuda,
        var other => throw new JudgeSpecException(spec.Text, $"execution provider '{other}' is not cpu or cuda"),
    };

    static torch.Device Device(JudgeSpec spec, string text)
    {
        torch.Device device;
        try
        {
            device = torch.device(text.Trim().ToLowerInvariant());
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new JudgeSpecException(spec.Text, $"device '{text}' is not cpu, cuda or cuda:N", e);
        }
        if (device.type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new JudgeSpecException(spec.Text, $"device '{text}' asked for, but this libtorch has no usable CUDA device (build with -p:TorchBackend=cuda on a machine with an NVIDIA driver)");
        return device;
    }



}
