using System.Globalization;
using Probe.Judging;
using Probe.Judging.Chat;
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
                  (spec, context) => OnnxClassifierJudge.Load(PathOf(spec.Argument!, context), Provider(spec), Bool(spec, "fallback", false), spec.Threshold, context.Logger))
        .Register(new JudgeKind("nudenet", JudgeArgument.RequiredPath, ["ep", "fallback", "unsafe", "size"], "nudenet:<model.onnx>"), NudeNet)
        .Register(new JudgeKind("vlm", JudgeArgument.EndpointAndModel,
                                ["category", "mode", "cache", "timeout", "attempts", "concurrency", "rpm", "json", "key-env"], "vlm:<endpoint-url>,<model>"), Vlm);

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
            ModelsRoot = spec.Option("models") is { } root ? PathOf(root, context) : null,
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
            ModelPath = PathOf(spec.Argument!, context),
            Threshold = spec.Threshold ?? 0.5,
            Provider = Provider(spec),
            FallbackToCpu = Bool(spec, "fallback", false),
            InputSize = spec.Option("size") is { } size ? Int(spec, "size", size, 32, 4096) : 320,
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
        var cache = spec.Option("cache") switch
        {
            null => context.VlmCacheFolder,
            var v when v.Equals("none", StringComparison.OrdinalIgnoreCase) => null,
            var v => PathOf(v, context),
        };
        var options = new VlmJudgeOptions
        {
            Model = spec.Model!,
            Endpoint = new Uri(spec.Argument!),
            Category = category,
            Mode = mode,
            Threshold = spec.Threshold ?? 0.5,
            CacheFolder = cache,
            Policy = new ChatRequestPolicy
            {
                RequestTimeout = TimeSpan.FromSeconds(spec.Option("timeout") is { } t ? Int(spec, "timeout", t, 1, 3600) : 60),
                MaxAttempts = spec.Option("attempts") is { } a ? Int(spec, "attempts", a, 1, 20) : 4,
                MaxConcurrency = spec.Option("concurrency") is { } n ? Int(spec, "concurrency", n, 1, 256) : 4,
                RequestsPerMinute = spec.Option("rpm") is { } r ? Int(spec, "rpm", r, 1, 100_000) : null,
            },
            RequestJsonFormat = Bool(spec, "json", true),
        };
        var key = spec.Option("key-env") is { } variable
            ? context.Environment(variable) ?? throw new JudgeSpecException(spec.Text, $"environment variable '{variable}' (key-env) is not set")
            : ChatEndpoint.ApiKeyVariables.Select(context.Environment).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        return VlmJudge.Create(options, key, context.Logger);
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

    static bool Bool(JudgeSpec spec, string key, bool fallback) => spec.Option(key)?.ToLowerInvariant() switch
    {
        null => fallback,
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        var other => throw new JudgeSpecException(spec.Text, $"option {key}={other} must be true or false"),
    };

    static int Int(JudgeSpec spec, string key, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new JudgeSpecException(spec.Text, $"option {key}={text} must be a whole number from {min} to {max}");

    static string PathOf(string path, JudgeFactoryContext context) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(context.BaseDirectory ?? Directory.GetCurrentDirectory(), path));
}
