using Probe.Core;
namespace Probe.Judging.Specs;

/// <summary>A judge spec string cannot be understood; the message quotes the spec, says what is wrong and shows the syntax.</summary>
public sealed class JudgeSpecException(string spec, string problem, Exception? inner = null)
    : ProbeException($"judge spec '{spec}': {problem}", inner)
{
    public string Spec { get; } = spec;

    public string Problem { get; } = problem;
}
