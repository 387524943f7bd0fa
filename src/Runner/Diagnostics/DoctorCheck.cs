namespace Probe.Runner.Diagnostics;

public enum CheckStatus { Ok, Info, Warning, Failed }

/// <summary>One line of <c>probe doctor</c>: what was looked at, what was found, and what to do when it is wrong.</summary>
public sealed record DoctorCheck(string Name, string Value, CheckStatus Status = CheckStatus.Ok, string? Advice = null);
