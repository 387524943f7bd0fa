using System.Text.RegularExpressions;
using Probe.Evaluation.Results;
using Probe.Runner.Cli;
using Probe.Runner.Reports.Html;

namespace Probe.Tests.Reports;

/// <summary>The report folder as files: escaping, the policy's hashes, image copies and their path checks, --out rules.</summary>
public partial class ReportCommandTests
{
    static async Task<string> Report(string outDir, params string[] runs)
    {
        var (code, output, error) = await CliRun.Probe(["report", .. runs, "--out", outDir]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        return output.Trim();
    }

    [Test]
    public async Task Every_string_from_the_run_is_escaped()
    {
        using var dir = new TempDir();
        var judges = new List<JudgeResult> { new("<j>\"x", 0.9, true, new Dictionary<string, double>()) };
        var run = new TestRun(dir.Path, "run<1>").Add("<b>cat</b>", "p\"1<", "<script>alert(1)</script>", 3, true, judges: judges).Write();
        var index = await Report(Path.Combine(dir.Path, "out"), run);
        var html = await File.ReadAllTextAsync(index);
        var body = html[html.IndexOf("<body", StringComparison.Ordinal)..html.LastIndexOf("<script>", StringComparison.Ordinal)];
        Assert.That(body, Does.Not.Contain("<script").And.Not.Contain("<b>cat").And.Not.Contain("<j>").And.Not.Contain("run<1>").And.Not.Contain("p\"1"));
        Assert.That(body, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"));
        Assert.That(body, Does.Contain("data-prompt-id=\"p&quot;1&lt;\""));
        Assert.That(body, Does.Contain("&lt;b&gt;cat&lt;/b&gt;"));
        Assert.That(Regex.Matches(html, "<script").Count, Is.EqualTo(1), "the report's own script only");
        Assert.That(html, Does.Not.Match(@"\son[a-z]+="), "no inline event handlers");
    }

    [Test]
    public async Task The_policy_allows_exactly_the_inline_style_and_script()
    {
        using var dir = new TempDir();
        var run = new TestRun(dir.Path, "r").AddCategory("sexual", 2, 1).Write();
        var html = await File.ReadAllTextAsync(await Report(Path.Combine(dir.Path, "out"), run));
        var style = Between(html, "<style>", "</style>");
        var script = Between(html, "<script>", "</script>");
        var csp = Regex.Match(html, "http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\"").Groups[1].Value;
        csp = System.Net.WebUtility.HtmlDecode(csp);
        Assert.That(csp, Is.EqualTo($"default-src 'none'; img-src 'self'; style-src '{ContentSecurityPolicy.Hash(style)}'; script-src '{ContentSecurityPolicy.Hash(script)}'; " +
                                    "base-uri 'none'; form-action 'none'; object-src 'none'; connect-src 'none'"));
        Assert.That(html, Does.Not.Contain(" style=\""), "style attributes would be blocked");
    }

    [Test]
    public async Task Images_are_copied_under_their_own_names_and_referenced_relatively()
    {
        using var dir = new TempDir();
        var run = new TestRun(dir.Path, "r").AddCategory("sexual", 3, 1).Write();
        var outDir = Path.Combine(dir.Path, "out");
        var html = await File.ReadAllTextAsync(await Report(outDir, run));
        Assert.That(Directory.GetFiles(Path.Combine(outDir, "images", "0")).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "000001.png", "000002.png", "000003.png" }));
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(outDir, "images", "0", "000002.png")),
            Is.EqualTo(await File.ReadAllBytesAsync(Path.Combine(run, "images", "sexual", "sexual-01-1001.png"))));
        Assert.That(html, Does.Contain("<img src=\"images/0/000001.png\"").And.Not.Contain("src=\"images/sexual").And.Not.Contain($"src=\"{run}"));
    }

    [Test]
    public async Task Image_paths_that_leave_the_run_folder_are_refused_naming_the_file_and_line()
    {
        using var dir = new TempDir();
        var secret = dir.File("secret.png");
        await File.WriteAllTextAsync(secret, "not for the report");
        var run = new TestRun(dir.Path, "r").AddCategory("sexual", 2, 1).Write();
        var samples = Path.Combine(run, SamplesCsv.FileName);
        var text = await File.ReadAllTextAsync(samples);
        foreach (var (image, problem) in new[] { ("../secret.png", "leaves the run folder ('..')"), (secret, "is absolute; it must be relative to the run folder") })
        {
            await File.WriteAllTextAsync(samples, text.Replace("images/sexual/sexual-00-1000.png", image, StringComparison.Ordinal));
            var outDir = Path.Combine(dir.Path, "out");
            var (code, _, error) = await CliRun.Probe("report", run, "--out", outDir);
            // A run folder is untrusted input: the same rule as merge, compare and agreement, one error with the line.
            Assert.That(code, Is.EqualTo(ExitCodes.UserError), error);
            Assert.That(error.Trim(), Is.EqualTo($"error: {samples}:2: image path '{image}' {problem}"));
            Assert.That(Directory.Exists(Path.Combine(outDir, "images")), Is.False);
        }
    }

    [Test]
    public async Task Missing_image_files_are_counted_and_shown_as_unavailable()
    {
        using var dir = new TempDir();
        var run = new TestRun(dir.Path, "r").AddCategory("sexual", 2, 1).WithoutImages().Write();
        var (code, _, error) = await CliRun.Probe("report", run, "--out", Path.Combine(dir.Path, "out"));
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(error, Does.Contain("warning: r: 2 image file(s) listed in samples.csv are missing"));
    }

    [Test]
    public async Task A_non_empty_folder_that_is_not_a_report_is_refused()
    {
        using var dir = new TempDir();
        var run = new TestRun(dir.Path, "r").AddCategory("sexual", 2, 1).Write();
        var (code, _, error) = await CliRun.Probe("report", run, "--out", run);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error.Trim(), Is.EqualTo($"error: --out {run} is not empty and is not an earlier probe report; give a new or empty folder"));
    }

    [Test]
    public async Task An_earlier_report_is_rebuilt_without_stale_images()
    {
        using var dir = new TempDir();
        var big = new TestRun(dir.Path, "big").AddCategory("sexual", 4, 1).Write();
        var small = new TestRun(dir.Path, "small").AddCategory("sexual", 1, 1).Write();
        var outDir = Path.Combine(dir.Path, "out");
        await Report(outDir, big);
        await Report(outDir, small);
        Assert.That(Directory.GetFiles(Path.Combine(outDir, "images"), "*", SearchOption.AllDirectories), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task A_run_with_only_summary_csv_still_gets_its_chart()
    {
        using var dir = new TempDir();
        var run = new TestRun(dir.Path, "r").AddCategory("sexual", 10, 4).WithoutImages().Write();
        File.Delete(Path.Combine(run, SamplesCsv.FileName));
        var (code, _, error) = await CliRun.Probe("report", run, "--out", Path.Combine(dir.Path, "out"));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(error, Does.Contain("warning: r: no samples.csv; the gallery has no images of it"));
        var html = await File.ReadAllTextAsync(Path.Combine(dir.Path, "out", "index.html"));
        Assert.That(html, Does.Contain("40.0% [16.8, 68.7] 4/10"));
    }

    [Test]
    public async Task No_run_folders_is_a_usage_error()
    {
        using var dir = new TempDir();
        var (code, _, _) = await CliRun.Probe("report", "--out", dir.Path);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
    }

    static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }
}
