using System.CommandLine;
using Probe.Evaluation.Results;
using Probe.Runner.Cli;
using Probe.Runner.Reports.Html;

namespace Probe.Runner.Commands;

/// <summary><c>probe report</c>: a static HTML report and gallery of one or more runs, in one self-contained folder.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Run folders; with two, the first is 'before' and the second 'after', side by side.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Folder for index.html and its images (new, empty, or an earlier report).", Required = true };
        var alpha = new Option<double>("--alpha") { Description = "Intervals are 1 − alpha.", DefaultValueFactory = _ => 0.05 };
        var command = new Command("report", "Write a static HTML report: rates with intervals, reward curves, and a filterable image gallery with a review mode.")
        {
            runs, output, alpha,
        };
        command.SetAction(parse =>
        {
            var folders = parse.GetValue(runs)!.Select(RunFolder.Open).ToList();
            var result = HtmlReport.Write(folders, parse.GetValue(output)!, parse.GetValue(alpha), DateTime.UtcNow);
            var error = parse.InvocationConfiguration.Error;
            foreach (var warning in result.Warnings) error.WriteLine($"warning: {warning}");
            error.WriteLine($"report: {result.Images} image(s) copied");
            parse.InvocationConfiguration.Output.WriteLine(result.IndexPath);
            return ExitCodes.Success;
        });
        return command;
    }
}
