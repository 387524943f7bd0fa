using Probe.Core;

namespace Probe.Runner.Cli;

/// <summary>A problem the user can act on at the command line; printed as one line without a stack trace.</summary>
public sealed class UserError(string message, Exception? inner = null) : ProbeException(message, inner);
