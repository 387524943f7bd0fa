
using Probe.Evaluation.Results;
using Probe.Runner.Cli;

namespace Probe.Tests;

/// <summary>The README's first command: the demo runs the whole chain and says plainly what its model is.</summary>
public class DemoCommandTests
{
    [Test]
    public async Task The_demo_runs_every_stage_and_writes_a_report()
    {
        using var dir = new TempDir();
        var root = Path.Combine(dir.Path, "demo");
        var (code, output, error) = await CliRun.Probe("demo", "--out", root, "--prompts-per-category", "1", "--updates", "2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(output, Does.Contain("RANDOM weights"));
        foreach (var stage in new[] { "1/5", "2/5", "3/5", "4/5", "5/5" }) Assert.That(output, Does.Contain(stage));
        Assert.That(RunFolder.Open(Path.Combine(root, "baseline")).Samples, Has.Count.EqualTo(9));
        Assert.That(RunFolder.Open(Path.Combine(root, "attacked")).Samples, Has.Count.EqualTo(9));
        Assert.That(RunFolder.Open(Path.Combine(root, "attack")).TrainLog!.Updates, Is.EqualTo(2));
        Assert.That(File.Exists(Path.Combine(root, "report", "index.html")), Is.True);
    }
}
