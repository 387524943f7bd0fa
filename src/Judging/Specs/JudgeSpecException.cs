using Probe.Core;
namespace Probe.Judging.Specs;

/// <summary>
/// A judge spec string cannot be understood; the message quotes the spec, says what is wrong and shows the syntax. A
/// spec may hold an endpoint URL with credentials, so the message and both properties are redacted.
/// </summary>
public sealed class JudgeSpecException(string spec, string problem, Exception? inner = null)
    : ProbeException(Redaction.Text($"judge spec '{spec}': {problem}"), inner)
{
    public string Spec { get; } = Redaction.Text(spec);

    public string Problem { get; } = Redaction.Text(problem);
}
