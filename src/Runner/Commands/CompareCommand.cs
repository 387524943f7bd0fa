using System.CommandLine;
using Probe.Evaluation.Analysis;
using Probe.Evaluation.Results;
using Probe.Runner.Cli;
using Probe.Runner.Reports;

namespace Probe.Runner.Commands;

/// <summary><c>probe compare</c>: two run folders, category by category, with intervals, tests and the transfer table.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var before = new Argument<string>("runA") { Description = "The reference run folder (before; e.g. the aligned model's evaluation)." };
        var after = new Argument<string>("runB") { Description = "The run folder to compare with it (after; e.g. the attacked model's evaluation)." };
        var alpha = new Option<double>("--alpha") { Description = "Intervals are 1 − alpha; the z-test is two-sided at alpha.", DefaultValueFactory = _ => 0.05 };
        var output = new Option<string?>("--out") { Description = "Also write the comparison to this CSV file." };
        var attacked = new Option<string?>("--attacked") { Description = "The attacked category for the transfer table (default: from the manifests' attack.category)." };
        var categories = RunFolderOptions.Categories();
        var judge = RunFolderOptions.Judge();

        var command = new Command("compare", "Compare the unsafe rates of two runs per category: rates and differences with confidence intervals, z-tests, and how far an attack transferred.")
        {
            before, after, alpha, output, attacked, categories, judge,
        };
        command.SetAction(parse =>
        {
            var comparison = RunComparison.Of(RunFolder.Open(parse.GetValue(before)!), RunFolder.Open(parse.GetValue(after)!), new ComparisonOptions
            {
                Alpha = parse.GetValue(alpha),
                Categories = RunFolderOptions.ParseCategories(parse.GetValue(categories)),
                Decision = UnsafeDecision.Parse(parse.GetValue(judge)),
                Attacked = parse.GetValue(attacked),
            });
            var error = parse.InvocationConfiguration.Error;
            foreach (var warning in comparison.Warnings) error.WriteLine($"warning: {warning}");
            ComparisonText.Write(parse.InvocationConfiguration.Output, comparison);
            if (parse.GetValue(output) is { } path)
            {
                ComparisonCsv.Write(path, comparison);
                error.WriteLine($"wrote {path}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
