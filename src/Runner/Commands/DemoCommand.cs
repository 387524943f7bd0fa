using System.CommandLine;

namespace Probe.Runner.Commands;

/// <summary>
/// <c>probe demo</c>: the whole chain on the bundled tiny model. Until evaluation and attack are built it
/// checks the environment and says plainly what is missing — it never prints results it did not compute.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Run the whole chain on the bundled tiny model (no download).");
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine("probe demo: checking this machine first.");
            var code = DoctorCommand.Run(output);
            output.WriteLine();
            output.WriteLine("Not built yet: the evaluation sweep and the GRPO attack (compare, gate, report and agreement read their run folders).");
            output.WriteLine("The demo will run baseline eval → short attack → eval → compare → report once they exist.");
            return code;
        });
        return command;
    }
}
