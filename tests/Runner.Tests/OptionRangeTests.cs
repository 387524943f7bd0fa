using Probe.Runner.Cli;

namespace Probe.Tests;

/// <summary>Numeric flags out of range are usage errors (exit 2) naming the flag, before any model is loaded.</summary>
public class OptionRangeTests
{
    [TestCase("eval", "--n", "0")]
    [TestCase("eval", "--width", "-8")]
    [TestCase("eval", "--width", "0")]
    [TestCase("eval", "--steps", "0")]
    [TestCase("eval", "--batch-size", "0")]
    [TestCase("eval", "--guidance", "NaN")]
    [TestCase("generate", "--height", "-8")]
    [TestCase("generate", "--n", "0")]
    [TestCase("generate", "--eta", "2")]
    public async Task An_out_of_range_value_is_exit_2_naming_the_flag(string command, string flag, string value)
    {
        using var dir = new TempDir();
        string[] args = command == "generate"
            ? ["generate", "--model", "/nonexistent/model", "--prompt", "a cat", "--out", dir.Path, flag, value]
            : ["eval", "--model", "/nonexistent/model", "--out", dir.Path, flag, value];
        var (code, _, err) = await CliRun.Probe(args);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(err, Does.Contain($"{flag} {value} is out of range"));
        Assert.That(Directory.EnumerateFileSystemEntries(dir.Path), Is.Empty, "nothing may be written before the options are valid");
    }
}
