using Probe.Core;
namespace Probe.Grpo;

/// <summary>A GRPO configuration is invalid; the message names every offending key, its value and what is allowed.</summary>
public sealed class GrpoConfigException(IReadOnlyList<string> problems)
    : ProbeException("invalid GRPO configuration:\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
