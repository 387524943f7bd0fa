using System.Diagnostics;

namespace Probe.Runner.Cli;

/// <summary>
/// A progress bar on a terminal (redrawn in place, at most ten times a second) or plain lines when the output is
/// redirected (at most one per 5 seconds or per 10%), so logs of CI runs and job arrays stay readable.
/// </summary>
public sealed class ConsoleProgress : IDisposable
{
    readonly TextWriter _writer;
    readonly string _label;
    readonly bool _interactive;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    TimeSpan? _lastDraw;
    double _lastFraction = -1;
    int _lastWidth;
    bool _finished;

    public ConsoleProgress(TextWriter writer, string label, bool? interactive = null)
    {
        _writer = writer;
        _label = label;
        var console = writer is RedactingWriter redacting ? redacting.Inner : writer;
        _interactive = interactive ?? (ReferenceEquals(console, Console.Error) && !Console.IsErrorRedirected);
    }

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> with an optional detail (e.g. "12.3 MB/s").</summary>
    public void Update(double done, double total, string? detail = null)
    {
        if (_finished) return;
        var fraction = total <= 0 ? 0 : Math.Clamp(done / total, 0, 1);
        var now = _clock.Elapsed;
        var eta = fraction > 0.001 ? TimeSpan.FromSeconds(now.TotalSeconds * (1 - fraction) / fraction) : (TimeSpan?)null;
        var text = $"{_label} {fraction * 100,5:F1}% {Counts(done, total)} {Elapsed(now)}{(eta is { } e ? " eta " + Elapsed(e) : "")}{(detail is null ? "" : " " + detail)}";
        if (_interactive)
        {
            if (now - _lastDraw < TimeSpan.FromMilliseconds(100) && fraction < 1) return;
            const int barWidth = 24;
            var filled = (int)Math.Round(fraction * barWidth);
            var line = $"\r[{new string('#', filled)}{new string('.', barWidth - filled)}] {text}";
            _writer.Write(line.PadRight(_lastWidth));
            _lastWidth = line.Length;
        }
        else
        {
            if (now - _lastDraw < TimeSpan.FromSeconds(5) && fraction - _lastFraction < 0.1 && fraction < 1) return;
            _writer.WriteLine(text);
            _lastFraction = fraction;
        }
        _lastDraw = now;
    }

    /// <summary>Ends the bar with a summary line.</summary>
    public void Finish(string summary)
    {
        if (_finished) return;
        _finished = true;
        if (_interactive) _writer.Write("\r" + new string(' ', _lastWidth) + "\r");
        _writer.WriteLine($"{_label} {summary} ({Elapsed(_clock.Elapsed)})");
    }

    public void Dispose()
    {
        if (_interactive && !_finished && _lastWidth > 0) _writer.WriteLine();
    }

    static string Counts(double done, double total) =>
        total >= 1e6 ? $"{Bytes(done)}/{Bytes(total)}" : $"{done:0}/{total:0}";

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1 << 30 => $"{bytes / (1 << 30):F2} GB",
        >= 1 << 20 => $"{bytes / (1 << 20):F1} MB",
        >= 1 << 10 => $"{bytes / (1 << 10):F0} kB",
        _ => $"{bytes:F0} B",
    };

    static string Elapsed(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
