using Probe.Core;
namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>An ONNX model cannot be loaded or run as a judge; the message names the file and what to do.</summary>
public sealed class OnnxJudgeException(string message, Exception? inner = null) : ProbeException(message, inner);
