namespace Probe.Core.Lora;

/// <summary>A LoRA file cannot be applied: unknown or unmatched keys, missing halves, wrong shapes, unsupported variants. The message lists every problem.</summary>
public sealed class LoraFormatException(string file, string problem) : ProbeException($"{file}: {problem}")
{
    public string File { get; } = file;
    public string Problem { get; } = problem;
}
