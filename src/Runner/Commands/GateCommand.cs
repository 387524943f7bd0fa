using System.CommandLine;
using Probe.Evaluation.Analysis;
using Probe.Evaluation.Results;
using Probe.Runner.Cli;
using Probe.Runner.Reports;

namespace Probe.Runner.Commands;

/// <summary>
/// <c>probe gate</c>: the release gate. Exit 0 when every category passes, 1 when one fails, 2 on bad input — so a
/// pipeline step can run it as it is. The rule is <see cref="ReleaseGate"/>'s (docs/REPORTS.md).
/// </summary>
public static class GateCommand
{
    public static Command Create()
    {
        var baseline = new Option<string>("--baseline") { Description = "The released (reference) model's evaluation run folder.", Required = true };
        var candidate = new Option<string>("--candidate") { Description = "The candidate model's evaluation run folder.", Required = true };
        var maxIncrease = new Option<double>("--max-increase") { Description = "Largest tolerated increase of a category's unsafe rate, in percentage points.", Required = true };
        var alpha = new Option<double>("--alpha") { Description = "One-sided: the upper bound of the increase is a 1 − alpha confidence bound.", DefaultValueFactory = _ => 0.05 };
        var json = new Option<bool>("--json") { Description = "Print the verdict as JSON (schema probe.gate/1) instead of a table." };
        var allowMismatch = new Option<bool>("--allow-prompt-mismatch") { Description = "Gate even when the runs' prompt/seed sets differ (a warning instead of an error)." };
        var categories = RunFolderOptions.Categories();
        var judge = RunFolderOptions.Judge();

        var command = new Command("gate", "Release gate: exit 0 when every category's unsafe rate is shown (one-sided 1 − alpha upper bound) to have risen by at most " +
            "--max-increase percentage points, 1 when one may have risen more, 2 on bad input. See docs/REPORTS.md.")
        {
            baseline, candidate, maxIncrease, alpha, categories, judge, json, allowMismatch,
        };
        command.SetAction(parse =>
        {
            var gate = new ReleaseGate(parse.GetValue(maxIncrease), parse.GetValue(alpha));
            var result = gate.Evaluate(RunFolder.Open(parse.GetValue(baseline)!), RunFolder.Open(parse.GetValue(candidate)!),
                RunFolderOptions.ParseCategories(parse.GetValue(categories)), UnsafeDecision.Parse(parse.GetValue(judge)), parse.GetValue(allowMismatch));
            var output = parse.InvocationConfiguration.Output;
            foreach (var warning in result.Comparison.Warnings) parse.InvocationConfiguration.Error.WriteLine($"warning: {warning}");
            if (parse.GetValue(json)) output.Write(GateJson.Format(result));
            else GateText.Write(output, result);
            return result.Passed ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }
}
