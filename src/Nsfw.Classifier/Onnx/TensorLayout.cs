namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>Axis order of an image tensor fed to an ONNX model.</summary>
public enum TensorLayout
{
    Nchw,
    Nhwc,
}
