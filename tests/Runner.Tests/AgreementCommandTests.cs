
using Probe.Evaluation.Results;
using Probe.Runner.Cli;

namespace Probe.Tests;

public class AgreementCommandTests
{
    // Ten samples; combined decision and nsfwjs say unsafe for 0–3; vlm for 0, 1, 2, 4, 5 and it did not score 9.
    // A person says unsafe for 0, 1, 2, 4.
    static readonly bool[] Human = [true, true, true, false, true, false, false, false, false, false];

    static string MakeRun(TempDir dir)
    {
        var run = new TestRun(dir.Path, "eval-1").WithoutImages();
        for (var i = 0; i < 10; i++)
        {
            var judges = new List<JudgeResult> { new("nsfwjs", i < 4 ? 0.8 : 0.2, i < 4, new Dictionary<string, double>()) };
            if (i != 9) judges.Add(new JudgeResult("vlm", i is 0 or 1 or 2 or 4 or 5 ? 1 : 0, i is 0 or 1 or 2 or 4 or 5, new Dictionary<string, double>()));
            run.Add("sexual", $"p{i % 5}", $"prompt {i % 5}", 100 + i, i < 4, judges: judges);
        }
        return run.Write();
    }

    static string Labels(TempDir dir, params string[] extraLines)
    {
        var lines = new List<string> { "run_id,category,prompt_id,seed,image,label" };
        for (var i = 0; i < 10; i++)
            lines.Add($"eval-1,sexual,p{i % 5},{100 + i},images/sexual/p{i % 5}-{100 + i}.png,{(Human[i] ? "unsafe" : "safe")}");
        lines.AddRange(extraLines);
        var path = dir.File("labels.csv");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    [Test]
    public async Task Reports_kappa_confusion_matrix_accuracy_precision_and_recall_per_judge()
    {
        using var dir = new TempDir();
        var run = MakeRun(dir);
        var (code, output, error) = await CliRun.Probe("agreement", run, Labels(dir));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(output, Does.Contain("10 sample(s) labelled, 0 row(s) skipped"));
        // combined: TP 3 FP 1 FN 1 TN 5; p_o = 0.8, p_e = 0.52, κ = 0.28/0.48
        Assert.That(Cells(output, "combined"), Is.EqualTo(new[] { "combined", "10", "3", "1", "1", "5", "0.800", "0.750", "0.750", "0.583", "0" }));
        Assert.That(Cells(output, "nsfwjs"), Is.EqualTo(new[] { "nsfwjs", "10", "3", "1", "1", "5", "0.800", "0.750", "0.750", "0.583", "0" }));
        // vlm (sample 9 unscored): TP 4 FP 1 FN 0 TN 4; p_o = 8/9, p_e = 40/81, κ = 32/41
        Assert.That(Cells(output, "vlm"), Is.EqualTo(new[] { "vlm", "9", "4", "1", "0", "4", "0.889", "0.800", "1.000", "0.780", "1" }));
        Assert.That(error, Is.Empty);
    }

    [Test]
    public async Task Judge_option_reports_that_judge_only()
    {
        using var dir = new TempDir();
        var (code, output, _) = await CliRun.Probe("agreement", MakeRun(dir), Labels(dir), "--judge", "vlm");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("vlm ").And.Not.Contain("nsfwjs").And.Not.Contain("combined "));
        (code, _, var error) = await CliRun.Probe("agreement", MakeRun(dir), Labels(dir), "--judge", "gpt");
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error, Does.Contain("no judge 'gpt'"));
    }

    [Test]
    public async Task Bad_rows_are_reported_with_line_numbers_and_skipped()
    {
        using var dir = new TempDir();
        var labels = Labels(dir,
            "eval-1,sexual,p0,100,images/sexual/p0-100.png,maybe",        // line 12
            "eval-1,sexual,p0,100",                                        // line 13
            "eval-1,sexual,p0,abc,,unsafe",                                // line 14
            "eval-1,sexual,p0,999,images/sexual/nothing.png,unsafe",       // line 15
            "eval-2,sexual,p0,100,images/sexual/p0-100.png,safe",         // line 16: another run, counted not matched
            "eval-1,sexual,p1,101,images/sexual/p1-101.png,safe",         // line 17: contradicts line 3
            ",sexual,p2,102,,unsafe");                                     // line 18: by key, repeats line 4
        var (code, output, error) = await CliRun.Probe("agreement", MakeRun(dir), labels);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        var warnings = error.Trim().Split('\n');
        Assert.That(warnings, Is.EqualTo(new[]
        {
            $"warning: {labels}:12: unknown label 'maybe' (use safe or unsafe); row skipped",
            $"warning: {labels}:13: has 4 fields, the header has 6; row skipped",
            $"warning: {labels}:14: seed 'abc' is not an integer; row skipped",
            $"warning: {labels}:15: no sample of run eval-1 has image 'images/sexual/nothing.png'; row skipped",
            $"warning: {labels}:17: contradicts line 3 for images/sexual/p1-101.png; the later label is used",
            $"warning: {labels}:18: repeats the label of line 4 for images/sexual/p2-102.png (counted once)",
        }));
        Assert.That(output, Does.Contain("10 sample(s) labelled, 6 row(s) skipped, 1 row(s) for other runs (eval-2)"));
        // Sample 1 is now labelled safe: combined TP 2 FP 2 FN 1 TN 5.
        Assert.That(Cells(output, "combined")[..6], Is.EqualTo(new[] { "combined", "10", "2", "2", "1", "5" }));
    }

    [Test]
    public async Task Labels_can_name_samples_by_category_prompt_and_seed_alone()
    {
        using var dir = new TempDir();
        var path = dir.File("by-key.csv");
        File.WriteAllText(path, "category,prompt_id,seed,label\nsexual,p0,100,unsafe\nsexual,p4,104,UNSAFE\nsexual,p3,108,0\n");
        var (code, output, error) = await CliRun.Probe("agreement", MakeRun(dir), path, "--judge", "combined");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(Cells(output, "combined")[..6], Is.EqualTo(new[] { "combined", "3", "1", "0", "1", "1" }));
    }

    [Test]
    public async Task A_header_without_label_column_is_a_clear_error()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.csv");
        File.WriteAllText(path, "image,verdict\nimages/a.png,unsafe\n");
        var (code, _, error) = await CliRun.Probe("agreement", MakeRun(dir), path);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error.Trim(), Is.EqualTo($"error: {path}:1: missing column 'label' (expected run_id,category,prompt_id,seed,image,label; found: image,verdict)"));
    }

    [Test]
    public async Task A_header_that_cannot_match_samples_is_a_clear_error()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.csv");
        File.WriteAllText(path, "category,seed,label\nsexual,100,unsafe\n");
        var (code, _, error) = await CliRun.Probe("agreement", MakeRun(dir), path);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error, Does.Contain("needs a column 'image' or the columns 'category', 'prompt_id' and 'seed'"));
    }

    [Test]
    public async Task Labels_for_another_run_only_are_an_error_naming_it()
    {
        using var dir = new TempDir();
        var path = dir.File("other.csv");
        File.WriteAllText(path, "run_id,category,prompt_id,seed,image,label\neval-9,sexual,p0,100,images/sexual/p0-100.png,unsafe\n");
        var (code, _, error) = await CliRun.Probe("agreement", MakeRun(dir), path);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error.Trim(), Is.EqualTo($"error: {path}: no label matches a sample of run eval-1 (its labels are for eval-9)"));
    }

    static string[] Cells(string output, string decider) =>
        CompareCommandTests.Line(output, decider + " ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
