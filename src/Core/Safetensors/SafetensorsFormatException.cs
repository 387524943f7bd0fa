namespace Probe.Core.Safetensors;

/// <summary>A safetensors file is malformed. The message names the file, the tensor (when one is at fault) and the problem.</summary>
public sealed class SafetensorsFormatException : ProbeException
{
    public SafetensorsFormatException(string file, string? tensor, string problem, Exception? inner = null)
        : base(Compose(file, tensor, problem), inner)
    {
        File = file;
        Tensor = tensor;
        Problem = problem;
    }

    public string File { get; }
    public string? Tensor { get; }
    public string Problem { get; }

    static string Compose(string file, string? tensor, string problem) =>
        tensor is null ? $"{file}: {problem}" : $"{file}: tensor '{tensor}': {problem}";
}
