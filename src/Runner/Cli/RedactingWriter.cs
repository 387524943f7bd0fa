using System.Text;
using Probe.Core;

namespace Probe.Runner.Cli;

/// <summary>
/// The output and error streams of <c>probe</c>: every string written passes through <see cref="Redaction.Text"/>, so
/// no log line, progress line, warning or error message shows a judge endpoint's credentials, whichever part of
/// Probe (or of a library) wrote it. Text is redacted per write; Probe writes whole lines or whole messages.
/// </summary>
public sealed class RedactingWriter(TextWriter inner) : TextWriter
{
    /// <summary>The writer redacted into (ConsoleProgress asks whether it is the console).</summary>
    public TextWriter Inner => inner;

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => inner.NewLine;
        set => inner.NewLine = value;
    }

    public override void Write(char value) => inner.Write(value);

    public override void Write(string? value) => inner.Write(value is null ? null : Redaction.Text(value));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => inner.WriteLine(value is null ? null : Redaction.Text(value));

    public override void Flush() => inner.Flush();

    protected override void Dispose(bool disposing)
    {
        // The inner writer belongs to the caller (the console, a test's StringWriter).
        if (disposing) inner.Flush();
        base.Dispose(disposing);
    }
}
