using Probe.Evaluation.Io;

namespace Probe.Evaluation.Results;

/// <summary>
/// A finished (or interrupted) run folder read back: manifest.json, samples.csv, summary.csv and, for attack runs,
/// train_log.csv. Layout: <c>images/&lt;category&gt;/…png</c> referenced from samples.csv by relative path.
/// </summary>
public sealed class RunFolder
{
    readonly Dictionary<SampleRecord, int> _lines;

    RunFolder(string path, RunManifest manifest, IReadOnlyList<(int Line, SampleRecord Sample)> rows, IReadOnlyList<CategorySummary> summary, TrainLog? trainLog)
    {
        var samples = rows.Select(r => r.Sample).ToList();
        _lines = new Dictionary<SampleRecord, int>(ReferenceEqualityComparer.Instance);
        foreach (var (line, sample) in rows) _lines.TryAdd(sample, line);
        Path = path;
        Manifest = manifest;
        Samples = samples;
        Summary = summary;
        TrainLog = trainLog;
    }

    public string Path { get; }
    public RunManifest Manifest { get; }
    public IReadOnlyList<SampleRecord> Samples { get; }
    public IReadOnlyList<CategorySummary> Summary { get; }
    public TrainLog? TrainLog { get; }

    public string Name => Manifest.RunId;

    /// <summary>
    /// The full path of a sample's image, checked to be inside the run folder once symbolic links are followed: the run
    /// folder is untrusted input (<see cref="RunPaths"/>).
    /// </summary>
    /// <exception cref="RunPathException">The path, or a link on it, leaves the run folder; the message names samples.csv's line.</exception>
    public string ImagePath(SampleRecord sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return RunPaths.Inside(Path, sample.Image, $"{Where(sample)}: image");
    }

    /// <summary>samples.csv and the line of <paramref name="sample"/>, for messages ("runs/a/samples.csv:7").</summary>
    public string Where(SampleRecord sample) =>
        System.IO.Path.Combine(Path, SamplesCsv.FileName) + (_lines.TryGetValue(sample, out var line) ? $":{line}" : "");

    /// <summary>Opens a run folder; summary.csv is recomputed from samples.csv when absent (an interrupted run).</summary>
    public static RunFolder Open(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: run folder not found");
        var manifest = RunManifest.Load(path);
        var samplesPath = System.IO.Path.Combine(path, SamplesCsv.FileName);
        var rows = File.Exists(samplesPath) ? SamplesCsv.ReadWithLines(samplesPath) : [];
        var summaryPath = System.IO.Path.Combine(path, SummaryCsv.FileName);
        var summary = File.Exists(summaryPath) ? SummaryCsv.Read(summaryPath) : rows.Count > 0 ? CategorySummary.Of(rows.Select(r => r.Sample)).ToList() : [];
        var logPath = System.IO.Path.Combine(path, TrainLog.FileName);
        var log = File.Exists(logPath) ? TrainLog.Read(logPath) : null;
        return new RunFolder(System.IO.Path.GetFullPath(path), manifest, rows, summary, log);
    }
}
