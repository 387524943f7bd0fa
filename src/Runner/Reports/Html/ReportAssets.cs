using System.Reflection;

namespace Probe.Runner.Reports.Html;

/// <summary>report.css and report.js, kept as real files (Assets/) for editing and linting, embedded into probe.</summary>
public static class ReportAssets
{
    public static string Css { get; } = Read("report.css");
    public static string Script { get; } = Read("report.js");

    static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Probe.Report." + name)
                           ?? throw new InvalidOperationException($"embedded resource Probe.Report.{name} is missing from the build");
        using var reader = new StreamReader(stream);
        // The HTML parser turns CRLF into LF before the CSP hash is checked; hash what the browser will see.
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
