using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>Opens ONNX models with the chosen execution provider, with errors that say what to do.</summary>
public static class OnnxSessionFactory
{
    /// <summary>
    /// Opens <paramref name="modelPath"/>. When CUDA is asked for but unavailable, <paramref name="fallbackToCpu"/>
    /// decides between a logged warning and CPU, or an <see cref="OnnxJudgeException"/>.
    /// </summary>
    public static InferenceSession Open(string modelPath, ExecutionProvider provider, bool fallbackToCpu = false, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        logger ??= NullLogger.Instance;
        if (!File.Exists(modelPath)) throw new OnnxJudgeException($"{modelPath}: ONNX model file not found");
        var options = new SessionOptions();
        try
        {
            if (provider == ExecutionProvider.Cuda)
            {
                var problem = CudaProblem(options);
                if (problem is not null)
                {
                    if (!fallbackToCpu) throw new OnnxJudgeException($"{modelPath}: {problem}");
                    logger.LogWarning("{Model}: {Problem}; running on CPU instead", modelPath, problem);
                }
            }
            return new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxJudgeException($"{modelPath}: ONNX Runtime cannot load the model: {e.Message.Split('\n')[0]}", e);
        }
        finally
        {
            options.Dispose();
        }
    }

    /// <summary>Runs one input through <paramref name="session"/>; a runtime failure becomes an <see cref="OnnxJudgeException"/> naming the model.</summary>
    public static IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, string modelPath, RunOptions runOptions,
        string inputName, OrtValue input, string outputName)
    {
        ArgumentNullException.ThrowIfNull(session);
        try
        {
            return session.Run(runOptions, [inputName], [input], [outputName]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxJudgeException($"{modelPath}: inference failed: {e.Message.Split('\n')[0]}", e);
        }
    }

    /// <summary>Adds the CUDA provider to <paramref name="options"/>; returns why it cannot be used, or null when it was added.</summary>
    static string? CudaProblem(SessionOptions options)
    {
        if (!OnnxRuntimeInfo.IsAvailable(ExecutionProvider.Cuda))
            return "the CUDA execution provider is not in this ONNX Runtime build (available: " +
                   string.Join(", ", OnnxRuntimeInfo.AvailableProviders) +
                   "); build with -p:TorchBackend=cuda to use Microsoft.ML.OnnxRuntime.Gpu.Linux, or choose ep=cpu";
        try
        {
            options.AppendExecutionProvider_CUDA(0);
            return null;
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            return "the CUDA execution provider could not start (are the NVIDIA driver, CUDA 12 and cuDNN 9 installed?): " +
                   e.Message.Split('\n')[0];
        }
    }
}
