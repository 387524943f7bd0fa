using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Probe.Core.Hub;
using Probe.Core.Torch;
using Probe.Nsfw.Classifier.Onnx;
using TorchSharp;

namespace Probe.Runner.Diagnostics;

/// <summary>Collects the facts <c>probe doctor</c> prints: tensor engines, devices, CPU features, model locations.</summary>
public static class EnvironmentReport
{
    public static IReadOnlyList<DoctorCheck> Collect()
    {
        var checks = new List<DoctorCheck>
        {
            new("probe", typeof(EnvironmentReport).Assembly.GetName().Version?.ToString(3) ?? "unknown", CheckStatus.Info),
            new(".NET", Environment.Version.ToString(), CheckStatus.Info),
            new("os", $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription} ({System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier})", CheckStatus.Info),
        };

        var torchOk = true;
        try
        {
            TorchRuntime.EnsureLoaded();
            checks.Add(new("libtorch", TorchRuntime.LibTorchVersion));
            checks.Add(new("TorchSharp", TorchRuntime.TorchSharpVersion));
        }
        catch (TorchUnavailableException e)
        {
            torchOk = false;
            checks.Add(new("libtorch", "cannot be loaded", CheckStatus.Failed, e.Message));
        }
        checks.Add(new("libstdc++", SystemLibStdCxx.NewestVersion() is { } v ? $"{v} ({SystemLibStdCxx.Path})" : "not found", CheckStatus.Info));

        checks.Add(new("cpu", CpuModel() ?? "unknown", CheckStatus.Info));
        checks.Add(new("cpu features", CpuFeatures(), CheckStatus.Info));
        if (torchOk)
        {
            checks.Add(new("threads", $"{torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op ({Environment.ProcessorCount} logical CPUs)", CheckStatus.Info));
            checks.AddRange(CudaChecks());
        }
        checks.AddRange(OnnxRuntimeChecks());
        checks.Add(ModelCacheCheck());
        return checks;
    }

    static IEnumerable<DoctorCheck> CudaChecks()
    {
        if (!torch.cuda.is_available())
        {
            yield return new("cuda", "not available (CPU libtorch build or no NVIDIA driver)", CheckStatus.Info,
                "For NVIDIA GPUs build with -p:TorchBackend=cuda (see README, GPU).");
            yield break;
        }
        var count = torch.cuda.device_count();
        var names = NvidiaSmi();
        for (var i = 0; i < count; i++)
            yield return new($"cuda:{i}", i < names.Count ? names[i] : "available", CheckStatus.Ok);
        yield return new("cudnn", torch.cuda.is_cudnn_available() ? "available" : "not available", CheckStatus.Info);
    }

    static IEnumerable<DoctorCheck> OnnxRuntimeChecks()
    {
        DoctorCheck version, providers;
        try
        {
            version = new DoctorCheck("onnxruntime", OnnxRuntimeInfo.Version);
            var cuda = OnnxRuntimeInfo.IsAvailable(ExecutionProvider.Cuda);
            providers = new DoctorCheck("onnxruntime providers", string.Join(", ", OnnxRuntimeInfo.AvailableProviders),
                cuda ? CheckStatus.Ok : CheckStatus.Info,
                cuda ? null : "ONNX judges run on CPU; the CUDA provider comes with -p:TorchBackend=cuda and needs CUDA 13 libraries.");
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or OnnxRuntimeException)
        {
            version = new DoctorCheck("onnxruntime", "cannot be loaded", CheckStatus.Warning,
                $"ONNX judges are unavailable: {e.Message.Split('\n')[0]}");
            providers = new DoctorCheck("onnxruntime providers", "none", CheckStatus.Info);
        }
        yield return version;
        yield return providers;
    }

    static DoctorCheck ModelCacheCheck()
    {
        var settings = HubSettings.FromEnvironment();
        var path = settings.CacheDir;
        var models = Directory.Exists(path) ? Directory.GetDirectories(path, "models--*").Length : 0;
        var state = Directory.Exists(path) ? $"{models} model(s)" : "not created yet";
        var mode = settings.Offline ? ", offline" : $", hub {settings.Endpoint}";
        return new DoctorCheck("model cache", $"{path} ({state}{mode}{(settings.Token is null ? "" : ", token set")})", CheckStatus.Info);
    }

    public static string? CpuModel() => CpuInfoValue("model name");

    static string CpuFeatures()
    {
        var flags = (CpuInfoValue("flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        string[] interesting = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "amx_bf16", "amx_int8"];
        var present = interesting.Where(flags.Contains).ToArray();
        return present.Length == 0 ? "none of avx2/avx512/amx reported" : string.Join(" ", present);
    }

    static string? CpuInfoValue(string key)
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == key) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    static List<string> NvidiaSmi()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=name,memory.total --format=csv,noheader")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (process is null) return [];
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit(5000);
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return [];
        }
    }
}
