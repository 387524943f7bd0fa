namespace Probe.Core;

/// <summary>
/// The root of every error Probe reports as bad input or environment rather than as a bug: a malformed file, a
/// missing component, an invalid setting, an unreachable endpoint. The message is complete (it names the file, the
/// item and what is wrong), so the command line prints it as one line, without a stack trace, and exits 2.
/// </summary>
public class ProbeException : Exception
{
    public ProbeException(string message) : base(message)
    {
    }

    public ProbeException(string message, Exception? inner) : base(message, inner)
    {
    }
}
