using System.Globalization;
using Probe.Evaluation.Analysis;
using Probe.Runner.Cli;

namespace Probe.Tests;

public class CompareCommandTests
{
    // Expected values from an independent implementation of the Wilson, Newcombe and pooled z formulas.
    static (TempDir Dir, string Before, string After) Runs(Action<TestRun>? changeAfter = null)
    {
        var dir = new TempDir();
        var before = new TestRun(dir.Path, "base").AddCategory("sexual", 40, 3).AddCategory("violence", 40, 2).AddCategory("hate", 40, 1).WithoutImages();
        var after = new TestRun(dir.Path, "attacked").Attacked("sexual").AddCategory("sexual", 40, 30).AddCategory("violence", 40, 10).AddCategory("hate", 40, 1).WithoutImages();
        changeAfter?.Invoke(after);
        return (dir, before.Write(), after.Write());
    }

    [Test]
    public async Task Prints_rates_intervals_differences_and_tests_per_category()
    {
        var (dir, before, after) = Runs();
        using var cleanup = dir;
        var (code, output, error) = await CliRun.Probe("compare", before, after);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        var sexual = Line(output, "sexual (attacked)");
        Assert.That(sexual, Does.Contain("3/40").And.Contain("7.5% [2.6, 19.9]"));
        Assert.That(sexual, Does.Contain("30/40").And.Contain("75.0% [59.8, 85.8]"));
        Assert.That(sexual, Does.Contain("+67.5 [+47.9, +79.4]").And.Contain("+6.13").And.Contain("<0.0001"));
        var violence = Line(output, "violence");
        Assert.That(violence, Does.Contain("+20.0 [+4.2, +35.6]").And.Contain("+2.50").And.Contain("0.0122").And.EndsWith("*"));
        var hate = Line(output, "hate");
        Assert.That(hate, Does.Contain("0.0 [-10.6, +10.6]").And.Contain("1.0000").And.Not.EndsWith("*"));
        var all = Line(output, "all ");
        Assert.That(all, Does.Contain("6/120").And.Contain("41/120").And.Contain("+29.2 [+19.6, +38.4]").And.Contain("+5.69"));
        Assert.That(error, Is.Empty, "same prompts and seeds: no warning");
    }

    [Test]
    public async Task Transfer_table_sets_the_attacked_category_from_the_manifest_against_the_others()
    {
        var (dir, before, after) = Runs();
        using var cleanup = dir;
        var (code, output, _) = await CliRun.Probe("compare", before, after);
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("transfer: attacked category 'sexual'").And.Contain("attack.category"));
        Assert.That(Line(output, "others, mean of 2 categories"), Does.Contain("+10.0"));
        Assert.That(Line(output, "others, pooled (80+80 samples)"), Does.Contain("+10.0").And.Contain("[+1.1, +19.5]").And.Contain("+2.24").And.Contain("0.0252"));
        Assert.That(output, Does.Contain("significant increase (one-sided, α = 0.05): 1 of 2"));
        Assert.That(output, Does.Contain("transfer ratio (mean other increase / attacked increase): 0.148"));
    }

    [Test]
    public async Task Attacked_option_overrides_the_manifest_with_a_warning()
    {
        var (dir, before, after) = Runs();
        using var cleanup = dir;
        var (code, output, error) = await CliRun.Probe("compare", before, after, "--attacked", "violence");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("transfer: attacked category 'violence' (--attacked)"));
        Assert.That(error, Does.Contain("warning: --attacked 'violence' overrides 'sexual'"));
    }

    [Test]
    public async Task Writes_the_comparison_as_csv()
    {
        var (dir, before, after) = Runs();
        using var cleanup = dir;
        var csv = dir.File("out/compare.csv");
        var (code, _, error) = await CliRun.Probe("compare", before, after, "--out", csv);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        var (header, rows) = CsvTestFile.Read(csv);
        Assert.That(header.Take(4), Is.EqualTo(new[] { "scope", "category", "attacked", "confidence" }));
        Assert.That(header, Is.EqualTo(ComparisonCsv.Header));
        Assert.That(rows.Select(r => r[0] + ":" + r[1]), Is.EqualTo(new[] { "category:sexual", "category:violence", "category:hate", "all:", "others_pooled:", "others_mean:" }));
        double Get(int row, string column) => double.Parse(rows[row][header.ToList().IndexOf(column)], CultureInfo.InvariantCulture);
        Assert.That(Get(1, "rate_before"), Is.EqualTo(0.05));
        Assert.That(Get(1, "ci_low_after"), Is.EqualTo(0.141871).Within(1e-6));
        Assert.That(Get(1, "diff_ci_low"), Is.EqualTo(0.042121).Within(1e-6));
        Assert.That(Get(1, "diff_ci_high"), Is.EqualTo(0.356188).Within(1e-6));
        Assert.That(Get(1, "z"), Is.EqualTo(2.504897).Within(1e-6));
        Assert.That(Get(1, "p_value"), Is.EqualTo(0.012249).Within(1e-6));
        Assert.That(Get(1, "p_increase"), Is.EqualTo(0.006124).Within(1e-6));
        Assert.That(rows[0][header.ToList().IndexOf("attacked")], Is.EqualTo("1"));
        Assert.That(rows[1][header.ToList().IndexOf("prompts_match")], Is.EqualTo("1"));
        Assert.That(Get(5, "difference"), Is.EqualTo(0.1).Within(1e-12));
        string Text(int row, string column) => rows[row][header.ToList().IndexOf(column)];
        Assert.That((Text(1, "n_before"), Text(1, "unsafe_before"), Text(1, "confidence")), Is.EqualTo(("40", "2", "0.95")), "counts stay integers");
        Assert.That((Text(5, "n_before"), Text(5, "rate_before"), Text(5, "significant")), Is.EqualTo(("", "", "")), "others_mean fills only the difference");
    }

    [Test]
    public async Task Alpha_sets_the_confidence_of_every_interval()
    {
        var (dir, before, after) = Runs();
        using var cleanup = dir;
        var (code, output, _) = await CliRun.Probe("compare", before, after, "--alpha", "0.1");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("Wilson 90% intervals"));
        // Wilson 90% of 2/40, from the same independent implementation.
        Assert.That(Line(output, "violence"), Does.Contain("5.0% [1.7, 14.0]"));
    }

    [Test]
    public async Task Different_prompt_sets_are_a_warning_naming_the_pairs()
    {
        var (dir, before, after) = Runs(a => a.Add("hate", "hate-99", "a new prompt", 7, true));
        using var cleanup = dir;
        var (code, output, error) = await CliRun.Probe("compare", before, after);
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(error, Does.Contain("warning: prompt sets differ: category 'hate': 1 only in after (hate-99 seed 7)"));
        Assert.That(Line(output, "hate"), Does.Contain("2/41"));
    }

    [Test]
    public async Task Changed_prompt_text_under_the_same_id_is_reported()
    {
        var (dir, before, after) = Runs();
        using var cleanup = dir;
        var samples = Path.Combine(after, "samples.csv");
        File.WriteAllText(samples, File.ReadAllText(samples).Replace("a hate prompt number 3", "a different prompt", StringComparison.Ordinal));
        var (_, _, error) = await CliRun.Probe("compare", before, after);
        Assert.That(error, Does.Contain("prompt text differs for 1 prompt id(s) (hate-03)"));
    }

    [Test]
    public async Task Runs_with_different_categories_are_an_error_unless_categories_are_chosen()
    {
        var (dir, before, after) = Runs(a => a.AddCategory("self-harm", 10, 1));
        using var cleanup = dir;
        var (code, _, error) = await CliRun.Probe("compare", before, after);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error.Trim(), Is.EqualTo("error: the runs must have the same categories (only in attacked: self-harm); use --categories to compare the shared ones"));

        (code, var output, error) = await CliRun.Probe("compare", before, after, "--categories", "sexual,violence");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(output, Does.Contain("violence").And.Not.Contain("hate "));
    }

    [Test]
    public async Task Judge_option_counts_one_judges_decisions()
    {
        var (dir, before, after) = Runs();
        using var cleanup = dir;
        var (code, output, _) = await CliRun.Probe("compare", before, after, "--judge", "nsfwjs");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("decision: nsfwjs"));
        (code, _, var error) = await CliRun.Probe("compare", before, after, "--judge", "nobody");
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error, Does.Contain("no judge 'nobody' in samples.csv (judges: nsfwjs; or use 'combined')"));
    }

    [Test]
    public async Task A_run_with_only_summary_csv_is_compared_from_its_counts()
    {
        var (dir, before, after) = Runs();
        using var cleanup = dir;
        File.Delete(Path.Combine(before, "samples.csv"));
        var (code, output, error) = await CliRun.Probe("compare", before, after);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(Line(output, "violence"), Does.Contain("+20.0 [+4.2, +35.6]"));
        Assert.That(error.Trim(), Is.EqualTo("warning: prompt sets not checked: base has no samples.csv"));
    }

    [Test]
    public async Task A_missing_run_folder_is_one_line_and_exit_2()
    {
        using var dir = new TempDir();
        var (code, _, error) = await CliRun.Probe("compare", Path.Combine(dir.Path, "nope"), dir.Path);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error.Trim(), Does.StartWith("error: ").And.EndWith("nope: run folder not found"));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    /// <summary>The output line that starts with <paramref name="start"/>, trimmed at the end.</summary>
    internal static string Line(string output, string start)
    {
        var line = output.Split('\n').Select(l => l.TrimEnd()).FirstOrDefault(l => l.TrimStart().StartsWith(start, StringComparison.Ordinal));
        Assert.That(line, Is.Not.Null, $"no line starting with '{start}' in:\n{output}");
        return line!;
    }
}
