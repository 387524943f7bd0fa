using TorchSharp;

namespace Probe.Core.Torch;

/// <summary>What this process's libtorch is and what it can run on.</summary>
public static class TorchRuntime
{
    /// <summary>Loads libtorch (once) and throws <see cref="TorchUnavailableException"/> with advice if it cannot.</summary>
    public static void EnsureLoaded()
    {
        try
        {
            _ = torch.__version__;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            throw new TorchUnavailableException(Explain(e), e);
        }
    }

    public static string LibTorchVersion
    {
        get { EnsureLoaded(); return torch.__version__; }
    }

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>Parses "cpu", "cuda", "cuda:1" (case-insensitive) and checks the device exists.</summary>
    public static torch.Device ParseDevice(string name)
    {
        EnsureLoaded();
        var text = name.Trim().ToLowerInvariant();
        if (text == "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        torch.Device device;
        try
        {
            device = torch.device(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ArgumentException($"unknown device '{name}': use cpu, cuda, cuda:N or auto", nameof(name), e);
        }
        if (device.type == DeviceType.CUDA)
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException($"device '{name}' asked for, but this libtorch has no usable CUDA device " +
                                            "(build with -p:TorchBackend=cuda on a machine with an NVIDIA driver)", nameof(name));
            if (device.index >= torch.cuda.device_count())
                throw new ArgumentException($"device '{name}' does not exist: {torch.cuda.device_count()} CUDA device(s) found", nameof(name));
        }
        return device;
    }

    /// <summary>Parses float32 / fp32, float16 / fp16 / half, bfloat16 / bf16.</summary>
    public static torch.ScalarType ParseDType(string name) => name.Trim().ToLowerInvariant() switch
    {
        "float32" or "fp32" or "float" => torch.ScalarType.Float32,
        "float16" or "fp16" or "half" => torch.ScalarType.Float16,
        "bfloat16" or "bf16" => torch.ScalarType.BFloat16,
        "float64" or "fp64" or "double" => torch.ScalarType.Float64,
        _ => throw new ArgumentException($"unknown dtype '{name}': use float32, float16 or bfloat16", nameof(name)),
    };

    static string Explain(Exception e)
    {
        var glibcxx = SystemLibStdCxx.Describe();
        return "libtorch could not be loaded. " + glibcxx +
               " Rebuild so the build can adapt libLibTorchSharp.so to this system (dotnet build), and check that the " +
               "libtorch-cpu-linux-x64 (or libtorch-cuda) package restored. First cause: " +
               (e.InnerException ?? e).Message.Split('\n')[0];
    }
}

/// <summary>libtorch is missing or could not be loaded; the message says what to do.</summary>
public sealed class TorchUnavailableException(string message, Exception inner) : ProbeException(message, inner);
