namespace Probe.Runner.Cli;

/// <summary>A problem the user can act on; printed as one line without a stack trace.</summary>
public sealed class UserError(string message, Exception? inner = null) : Exception(message, inner);
