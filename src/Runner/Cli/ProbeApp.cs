using System.CommandLine;
using System.Text.Json;
using Probe.Core;
using Probe.Runner.Commands;

namespace Probe.Runner.Cli;

/// <summary>The <c>probe</c> command line: builds the command tree and turns failures into one clear line and an exit code.</summary>
public static class ProbeApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "Probe: measure how easily GRPO fine-tuning undoes a text-to-image model's safety (GRP-Obliteration), " +
            "and gate releases on it.");
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(JudgeCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(AttackCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(GateCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(AgreementCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        // Everything probe prints is redacted (judge endpoints may carry user:key@ or ?api_key=).
        var output = new RedactingWriter(stdout ?? Console.Out);
        var error = new RedactingWriter(stderr ?? Console.Error);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var parse = BuildRoot().Parse(args);
            if (parse.Errors.Count > 0)
            {
                // Usage mistakes are bad input (exit 2), never exit 1: for `probe gate` 1 means "the release failed the gate".
                foreach (var parseError in parse.Errors) error.WriteLine($"error: {parseError.Message}");
                error.WriteLine("(add --help for the usage)");
                return ExitCodes.UserError;
            }
            var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(config, cancel.Token);
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            error.WriteLine($"error: {message}");
            return e is OperationCanceledException ? ExitCodes.Cancelled : ExitCodes.UserError;
        }
        catch (Exception e)
        {
            error.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("PROBE_DEBUG") == "1") error.WriteLine(e);
            else error.WriteLine("Set PROBE_DEBUG=1 for the stack trace, and please report it.");
            return ExitCodes.InternalError;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The one-line message for failures caused by input or environment; null for bugs.</summary>
    static string? Describe(Exception e) => e switch
    {
        ProbeException or InvalidDataException => e.Message,
        OperationCanceledException => "cancelled; files written so far are kept",
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException => e.Message,
        JsonException => $"invalid JSON: {e.Message}",
        ArgumentException a => a.ParamName is null ? a.Message : a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal),
        IOException => e.Message,
        _ => null,
    };
}
