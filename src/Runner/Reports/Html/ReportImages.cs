using System.Globalization;
using Probe.Core.Io;
using Probe.Evaluation.Io;
using Probe.Evaluation.Results;
using Probe.Evaluation.Runs;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// The images a report shows, copied into its folder as <c>images/&lt;run&gt;/&lt;n&gt;.&lt;ext&gt;</c> so the folder is
/// self-contained (it can be zipped, moved, opened from file://). The names are Probe's own: a path from samples.csv
/// never becomes a path in the report, and one that points outside its run folder (absolute or ".." paths are refused
/// when samples.csv is read; a symbolic link that leads outside is refused here) or at a file that is not an image is
/// not copied at all.
/// </summary>
public sealed class ReportImages
{
    public const string Folder = "images";
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".webp"];

    readonly Dictionary<SampleRecord, string> _targets = new(ReferenceEqualityComparer.Instance);
    readonly List<(string Source, string Target)> _copies = [];
    readonly List<string> _warnings = [];
    readonly Dictionary<SampleRecord, string> _answers = new(ReferenceEqualityComparer.Instance);

    /// <summary>Longest answer text shown in a report cell; the file in the run folder keeps all of it.</summary>
    public const int MaxAnswerChars = 20_000;

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
                // A chat model's answer is shown as text in the report itself, never copied as a file.
                if (sample.Image.EndsWith(SampleArtefact.Answer.Extension, StringComparison.OrdinalIgnoreCase))
                {
                    if (ReadAnswer(run, sample) is { } text) _answers[sample] = text;
                    else missing++;
                    continue;
                }
                var (source, why) = Resolve(run, sample);
                if (source is null)
                {
                    refused++;
                    if (refused <= 3) _warnings.Add($"{run.Name}: {why}; not copied");
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

    /// <summary>A chat sample's answer text (at most <see cref="MaxAnswerChars"/>), or null for images and missing answers.</summary>
    public string? AnswerOf(SampleRecord sample) => _answers.GetValueOrDefault(sample);

    static string? ReadAnswer(RunFolder run, SampleRecord sample)
    {
        try
        {
            var path = run.ImagePath(sample);
            if (!File.Exists(path)) return null;
            using var reader = new StreamReader(path, System.Text.Encoding.UTF8);
            var buffer = new char[MaxAnswerChars + 1];
            var n = reader.ReadBlock(buffer, 0, buffer.Length);
            return n > MaxAnswerChars ? new string(buffer, 0, MaxAnswerChars) + " […]" : new string(buffer, 0, n);
        }
        catch (RunPathException)
        {
            return null;
        }
    }

    /// <summary>The image's path relative to index.html ('/'-separated), or null when it is not in the report.</summary>
    public string? TargetOf(SampleRecord sample) => _targets.GetValueOrDefault(sample);

    public void CopyTo(string reportFolder)
    {
        foreach (var (source, target) in _copies)
        {
            // The report folder may be an earlier report someone else could have planted links in.
            var destination = RunPaths.Inside(reportFolder, target, $"report {reportFolder}");
            AtomicFile.Write(destination, stream =>
            {
                using var input = File.OpenRead(source);
                input.CopyTo(stream);
            });
        }
    }

    /// <summary>
    /// The full path of an image inside the run folder, or null and why when it is not an image file or leaves the
    /// folder: absolute and ".." paths are refused when samples.csv is read, links that lead outside here (a link
    /// inside the run folder could point anywhere, e.g. at a private key).
    /// </summary>
    static (string? Path, string Why) Resolve(RunFolder run, SampleRecord sample)
    {
        var image = sample.Image;
        if (image.Length == 0 || !Extensions.Contains(Path.GetExtension(image).ToLowerInvariant()))
            return (null, $"image '{image}' is not an image file inside the run folder");
        try
        {
            return (run.ImagePath(sample), "");
        }
        catch (RunPathException e)
        {
            return (null, e.Message);
        }
    }
}
