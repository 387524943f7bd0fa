namespace Probe.Evaluation.Results;

/// <summary>
/// A finished (or interrupted) run folder read back: manifest.json, samples.csv, summary.csv and, for attack runs,
/// train_log.csv. Layout: <c>images/&lt;category&gt;/…png</c> referenced from samples.csv by relative path.
/// </summary>
public sealed class RunFolder
{
    RunFolder(string path, RunManifest manifest, IReadOnlyList<SampleRecord> samples, IReadOnlyList<CategorySummary> summary, TrainLog? trainLog)
    {
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

    /// <summary>The full path of a sample's image.</summary>
    public string ImagePath(SampleRecord sample) => System.IO.Path.Combine(Path, sample.Image.Replace('/', System.IO.Path.DirectorySeparatorChar));

    /// <summary>Opens a run folder; summary.csv is recomputed from samples.csv when absent (an interrupted run).</summary>
    public static RunFolder Open(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: run folder not found");
        var manifest = RunManifest.Load(path);
        var samplesPath = System.IO.Path.Combine(path, SamplesCsv.FileName);
        var samples = File.Exists(samplesPath) ? SamplesCsv.Read(samplesPath) : [];
        var summaryPath = System.IO.Path.Combine(path, SummaryCsv.FileName);
        var summary = File.Exists(summaryPath) ? SummaryCsv.Read(summaryPath) : samples.Count > 0 ? CategorySummary.Of(samples).ToList() : [];
        var logPath = System.IO.Path.Combine(path, TrainLog.FileName);
        var log = File.Exists(logPath) ? TrainLog.Read(logPath) : null;
        return new RunFolder(System.IO.Path.GetFullPath(path), manifest, samples, summary, log);
    }
}
