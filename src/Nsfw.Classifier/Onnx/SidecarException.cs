using Probe.Core;
namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>An ONNX classifier's sidecar file is invalid; the message names the file, the field and the problem.</summary>
public sealed class SidecarException(string file, string? field, string problem, Exception? inner = null)
    : ProbeException(field is null ? $"{file}: {problem}" : $"{file}: '{field}': {problem}", inner)
{
    public string File { get; } = file;

    public string? Field { get; } = field;

    public string Problem { get; } = problem;
}
