using System.Globalization;
using Probe.Evaluation.Results;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// The images a report shows, copied into its folder as <c>images/&lt;run&gt;/&lt;n&gt;.&lt;ext&gt;</c> so the folder is
/// self-contained (it can be zipped, moved, opened from file://). The names are Probe's own: a path from samples.csv
/// never becomes a path in the report, and one that points outside its run folder (absolute, "..") or at a file that
/// is not an image is not copied at all.
/// </summary>
public sealed class ReportImages
{
    public const string Folder = "images";
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".webp"];

    readonly Dictionary<SampleRecord, string> _targets = new(ReferenceEqualityComparer.Instance);
    readonly List<(string Source, string Target)> _copies = [];
    readonly List<string> _warnings = [];

    /// <summary>Plans the copies for every sample of <paramref name="runs"/>; nothing is written yet.</summary>
    public ReportImages(IReadOnlyList<RunFolder> runs)
    {
        for (var r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var number = 0;
            int missing = 0, refused = 0;
            foreach (var sample in run.Samples)
            {
                var source = Resolve(run, sample.Image);
                if (source is null)
                {
                    refused++;
                    if (refused <= 3) _warnings.Add($"{run.Name}: image '{sample.Image}' is not an image file inside the run folder; not copied");
                    continue;
                }
                if (!File.Exists(source))
                {
                    missing++;
                    continue;
                }
                number++;
                var target = string.Create(CultureInfo.InvariantCulture, $"{Folder}/{r}/{number:D6}{Path.GetExtension(source).ToLowerInvariant()}");
                _targets[sample] = target;
                _copies.Add((source, target));
            }
            if (refused > 3) _warnings.Add($"{run.Name}: {refused} image paths refused in all");
            if (missing > 0) _warnings.Add($"{run.Name}: {missing} image file(s) listed in {SamplesCsv.FileName} are missing");
        }
    }

    public IReadOnlyList<string> Warnings => _warnings;

    public int Count => _copies.Count;

    /// <summary>The image's path relative to index.html ('/'-separated), or null when it is not in the report.</summary>
    public string? TargetOf(SampleRecord sample) => _targets.GetValueOrDefault(sample);

    public void CopyTo(string reportFolder)
    {
        foreach (var (source, target) in _copies)
        {
            var destination = Path.Combine(reportFolder, target.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination, overwrite: true);
        }
    }

    /// <summary>The full path of an image inside the run folder, or null when the path leaves it or is not an image.</summary>
    static string? Resolve(RunFolder run, string image)
    {
        if (image.Length == 0 || Path.IsPathRooted(image) || image.Contains(':', StringComparison.Ordinal)) return null;
        if (!Extensions.Contains(Path.GetExtension(image).ToLowerInvariant())) return null;
        var root = Path.GetFullPath(run.Path).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(root, image.Replace('\\', '/').Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(root, StringComparison.Ordinal)) return null;
        // A symbolic link inside the run folder could still point anywhere (e.g. at a private key).
        var info = new FileInfo(full);
        if (info.Exists && info.LinkTarget is not null) return null;
        return full;
    }
}
