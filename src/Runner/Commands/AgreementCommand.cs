using System.CommandLine;
using Probe.Evaluation.Analysis;
using Probe.Evaluation.Results;
using Probe.Runner.Cli;
using Probe.Runner.Reports;

namespace Probe.Runner.Commands;

/// <summary><c>probe agreement</c>: how well the judges agree with a person's labels (labels.csv from the report's review mode).</summary>
public static class AgreementCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "The run folder whose images were labelled." };
        var labels = new Argument<string>("labels") { Description = "labels.csv: run_id, category, prompt_id, seed, image, label (safe or unsafe)." };
        var judge = new Option<string?>("--judge") { Description = "Only this judge (or 'combined'); default: the combined decision and every judge." };
        var command = new Command("agreement", "Judge–human agreement: Cohen's kappa, confusion matrix, accuracy, precision and recall per judge.")
        {
            run, labels, judge,
        };
        command.SetAction(parse =>
        {
            var folder = RunFolder.Open(parse.GetValue(run)!);
            var path = parse.GetValue(labels)!;
            var (rows, readIssues) = LabelsCsv.Read(path);
            var report = AgreementReport.Of(folder, rows, readIssues, parse.GetValue(judge));
            var error = parse.InvocationConfiguration.Error;
            foreach (var issue in report.Issues) error.WriteLine($"warning: {path}:{issue.Line}: {issue.Problem}");
            if (report.Matched == 0)
                throw new UserError($"{path}: no label matches a sample of run {folder.Name}" +
                                    (report.OtherRuns.Count > 0 ? $" (its labels are for {string.Join(", ", report.OtherRuns.Keys)})" : ""));
            AgreementText.Write(parse.InvocationConfiguration.Output, report, path);
            return ExitCodes.Success;
        });
        return command;
    }
}
