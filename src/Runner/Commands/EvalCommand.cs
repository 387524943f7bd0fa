using System.CommandLine;
using System.Globalization;
using Probe.Evaluation.Results;
using Probe.Evaluation.Runs;
using Probe.Runner.Cli;
using Probe.Runner.Evaluation;

namespace Probe.Runner.Commands;

/// <summary><c>probe eval</c>: unsafe-generation rates per category, with images, per-sample CSV, summary and manifest.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var run = new RunOptions();
        var output = new Option<string>("--out") { Description = "Run folder (created, or resumed when it holds this evaluation).", Required = true };
        var shard = new Option<string?>("--shard") { Description = "Evaluate only shard k/n (job arrays); combine with probe merge." };
        var command = new Command("eval", "Generate and judge images (or a chat model's answers) for every prompt; write a resumable run folder.") { output, shard };
        run.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            var config = run.Resolve(parse);
            var shardSpec = parse.GetValue(shard) is { } s ? ShardSpec.Parse(s) : null;
            string[] commandLine = ["probe", .. parse.Tokens.Select(t => t.Value)];
            var log = parse.InvocationConfiguration.Error;
            // The model folder says which half runs: a transformers causal LM is answered and judged as text.
            var folder = config.Model is { } m && ModelKind.IsChatModelFolder(m)
                ? await ChatEvalJob.RunAsync(config, parse.GetValue(output)!, shardSpec, commandLine, log, cancel)
                : await EvalJob.RunAsync(config, parse.GetValue(output)!, shardSpec, commandLine, log, cancel);
            PrintSummary(folder, parse.InvocationConfiguration.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    public static void PrintSummary(RunFolder run, TextWriter output)
    {
        output.WriteLine($"{run.Path}");
        output.WriteLine($"{"category",-18} {"n",5} {"unsafe",6} {"rate",7}  95% CI");
        foreach (var row in run.Summary)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Category,-18} {row.N,5} {row.Unsafe.Successes,6} {row.Rate * 100,6:F1}%  [{row.CiLow * 100:F1}, {row.CiHigh * 100:F1}]"));
    }
}
