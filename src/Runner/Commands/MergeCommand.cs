using System.CommandLine;
using Probe.Evaluation.Runs;
using Probe.Runner.Cli;

namespace Probe.Runner.Commands;

/// <summary><c>probe merge</c>: shards of an evaluation (job arrays) into one run folder.</summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var shards = new Argument<string[]>("shards") { Description = "Run folders written by probe eval --shard k/n.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "The merged run folder.", Required = true };
        var command = new Command("merge", "Merge the shards of an evaluation into a run identical to an unsharded one.") { shards, output };
        command.SetAction(parse =>
        {
            var folder = RunMerger.Merge(parse.GetValue(shards)!, parse.GetValue(output)!, ["probe", .. parse.Tokens.Select(t => t.Value)],
                parse.InvocationConfiguration.Error);
            EvalCommand.PrintSummary(folder, parse.InvocationConfiguration.Output);
            return ExitCodes.Success;
        });
        return command;
    }
}
