using Microsoft.ML.OnnxRuntime;

namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>What this process's ONNX Runtime is and can run on (for `probe doctor`).</summary>
public static class OnnxRuntimeInfo
{
    /// <summary>The native ONNX Runtime version, e.g. "1.31.1".</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>Execution providers compiled into this build, e.g. ["CPUExecutionProvider"] or with "CUDAExecutionProvider".</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtEnv.Instance().GetAvailableProviders();

    public static bool IsAvailable(ExecutionProvider provider) => AvailableProviders.Contains(NativeName(provider));

    /// <summary>ONNX Runtime's own name for a provider.</summary>
    public static string NativeName(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cuda => "CUDAExecutionProvider",
        _ => "CPUExecutionProvider",
    };

    /// <summary>One line for diagnostics: "ONNX Runtime 1.31.1; execution providers: CPUExecutionProvider".</summary>
    public static string Describe() => $"ONNX Runtime {Version}; execution providers: {string.Join(", ", AvailableProviders)}";
}
