namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>Where ONNX Runtime runs a judge's model.</summary>
public enum ExecutionProvider
{
    Cpu,

    /// <summary>NVIDIA GPUs; needs the Microsoft.ML.OnnxRuntime.Gpu build (-p:TorchBackend=cuda), CUDA 12 and cuDNN 9.</summary>
    Cuda,
}
