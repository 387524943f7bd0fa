using System.CommandLine;
using Probe.Runner.Cli;
using Probe.Runner.Diagnostics;

namespace Probe.Runner.Commands;

/// <summary><c>probe doctor</c>: what this machine can run, and what to fix when something required is missing.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check libtorch, devices, CPU features, ONNX Runtime and the model cache.");
        command.SetAction(parse => Run(parse.InvocationConfiguration.Output));
        return command;
    }

    public static int Run(TextWriter output)
    {
        var checks = EnvironmentReport.Collect();
        Print(checks, output);
        var failed = checks.Where(c => c.Status == CheckStatus.Failed).ToList();
        output.WriteLine(failed.Count == 0 ? "doctor: everything required is present." : $"doctor: {failed.Count} required component(s) missing.");
        return failed.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    public static void Print(IEnumerable<DoctorCheck> checks, TextWriter output)
    {
        var list = checks.ToList();
        var width = list.Max(c => c.Name.Length);
        foreach (var c in list)
        {
            var mark = c.Status switch
            {
                CheckStatus.Ok => "ok  ",
                CheckStatus.Info => "    ",
                CheckStatus.Warning => "warn",
                _ => "FAIL",
            };
            output.WriteLine($"{mark} {c.Name.PadRight(width)}  {c.Value}");
            if (c.Advice is not null && c.Status is CheckStatus.Warning or CheckStatus.Failed) output.WriteLine($"     {new string(' ', width)}  → {c.Advice}");
        }
    }
}
