
using Probe.Core.Io;
using Probe.Evaluation.Results;
using Probe.Runner.Cli;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// Writes a report folder: index.html plus the images it shows under images/. The folder must be new, empty, or an
/// earlier report (it has the marker file), so a mistyped --out never mixes a report into, or deletes from, a folder
/// that holds anything else.
/// </summary>
public static class HtmlReport
{
    public const string IndexFile = "index.html";
    /// <summary>Marks a folder as a probe report that may be rebuilt in place.</summary>
    public const string MarkerFile = ".probe-report";

    public sealed record Result(string IndexPath, int Images, IReadOnlyList<string> Warnings);

    public static Result Write(IReadOnlyList<RunFolder> runs, string outDir, double alpha, DateTime generated)
    {
        if (runs.Count == 0) throw new UserError("no run folders given");
        if (alpha is <= 0 or >= 1) throw new UserError($"--alpha {alpha} must be between 0 and 1");
        PrepareFolder(outDir);

        var notes = new List<string>();
        foreach (var run in runs.Where(r => r.Samples.Count == 0))
            notes.Add($"{run.Name}: no {SamplesCsv.FileName}; the gallery has no images of it");
        var images = new ReportImages(runs);
        var html = ReportPage.Render(runs, images, alpha, generated, notes);

        images.CopyTo(outDir);
        var index = Path.Combine(outDir, IndexFile);
        AtomicFile.WriteAllText(index, html);
        AtomicFile.WriteAllText(Path.Combine(outDir, MarkerFile), "This folder is a probe report; `probe report --out` may replace its contents.\n");
        return new Result(Path.GetFullPath(index), images.Count, notes.Concat(images.Warnings).ToList());
    }

    static void PrepareFolder(string outDir)
    {
        if (File.Exists(outDir)) throw new UserError($"--out {outDir} is a file; give a folder");
        if (!Directory.Exists(outDir))
        {
            Directory.CreateDirectory(outDir);
            return;
        }
        if (!Directory.EnumerateFileSystemEntries(outDir).Any()) return;
        if (!File.Exists(Path.Combine(outDir, MarkerFile)))
            throw new UserError($"--out {outDir} is not empty and is not an earlier probe report; give a new or empty folder");
        var oldImages = Path.Combine(outDir, ReportImages.Folder);
        if (Directory.Exists(oldImages)) Directory.Delete(oldImages, recursive: true);
    }
}
