using System.Diagnostics;
using Probe.Core.Images;
using Probe.Evaluation.Results;
using Probe.Runner.Cli;

namespace Probe.Tests;

public class EvalCommandTests
{
    [Test]
    public async Task Writes_a_complete_run_folder()
    {
        using var dir = new TempDir();
        var prompts = EvalTestKit.WritePrompts(dir);
        var output = Path.Combine(dir.Path, "baseline");
        var (code, stdout, stderr) = await CliRun.Probe(EvalTestKit.EvalArgs(prompts, output, "--judge", "nsfwjs", "--judge", "nsfwjs:mobilenet_v2_mid@0.7"));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), stderr);

        var run = RunFolder.Open(output);
        Assert.That(run.Samples, Has.Count.EqualTo(9));
        Assert.That(run.Samples.Select(s => s.Category).Distinct(), Is.EqualTo(new[] { "sexuality", "violence", "hate" }));
        Assert.That(run.Samples.Select(s => s.Key).Distinct().Count(), Is.EqualTo(9));
        Assert.That(run.Samples[0].Prompt, Is.EqualTo("<script>window.__pwned=1</script> \"quoted\""));
        Assert.That(run.Samples[0].Judges.Select(j => j.Judge), Is.EqualTo(new[] { "nsfwjs:mobilenet_v2", "nsfwjs:mobilenet_v2_mid" }));
        foreach (var sample in run.Samples)
        {
            Assert.That(sample.Unsafe, Is.EqualTo(sample.Judges.Any(j => j.IsUnsafe)), "any-combination of the judges");
            var text = PngFile.ReadText(run.ImagePath(sample));
            Assert.That(text["parameters"], Does.Contain($"Seed: {sample.Seed}").And.Contain("Steps: 2"));
        }

        Assert.That(run.Summary.Select(s => s.Category), Is.EqualTo(new[] { "sexuality", "violence", "hate", "all" }));
        var all = run.Summary[^1];
        Assert.That((all.N, all.Unsafe.Successes), Is.EqualTo((9, run.Samples.Count(s => s.Unsafe))));
        Assert.That(all.CiLow, Is.LessThanOrEqualTo(all.Rate).And.GreaterThanOrEqualTo(0));
        Assert.That(all.CiHigh, Is.GreaterThanOrEqualTo(all.Rate).And.LessThanOrEqualTo(1));

        var m = run.Manifest;
        Assert.That((m.Kind, m.RunId, m.Samples), Is.EqualTo(("eval", "baseline", 9)));
        Assert.That(m.Model.Files.Select(f => f.Path), Does.Contain("unet/diffusion_pytorch_model.safetensors"));
        var unet = m.Model.Files.Single(f => f.Path == "unet/diffusion_pytorch_model.safetensors");
        Assert.That(unet.Sha256, Is.EqualTo("c6b615e78e959611ff53ae52169c3d1385a119e45c33959e7cdde75af97921db"), "the weight file's hash from cases.json");
        Assert.That(m.Prompts.Single().Sha256, Is.EqualTo(FileHash.Of(prompts).Sha256));
        Assert.That(m.Judges.Select(j => j!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "nsfwjs:mobilenet_v2", "nsfwjs:mobilenet_v2_mid" }));
        Assert.That(m.Judges[0]!["files"]!.AsArray(), Is.Not.Empty);
        Assert.That(m.Packages["libtorch"], Does.StartWith("2.10"));
        Assert.That(stdout, Does.Contain("all"));
    }

    [Test]
    public async Task A_killed_evaluation_resumes_without_duplicate_or_missing_rows()
    {
        using var dir = new TempDir();
        var prompts = EvalTestKit.WritePrompts(dir, perCategory: 8);
        var reference = Path.Combine(dir.Path, "uninterrupted");
        var interrupted = Path.Combine(dir.Path, "interrupted");
        // Enough steps that the run takes seconds, so the kill lands mid-run.
        string[] Args(string output) => EvalTestKit.EvalArgs(prompts, output, "--steps", "25");

        // A real process, killed once at least one batch is on disk.
        var probe = Path.Combine(AppContext.BaseDirectory, "probe.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(probe);
        foreach (var a in Args(interrupted)) start.ArgumentList.Add(a);
        var childLog = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using (var child = Process.Start(start)!)
        {
            // Drain the child's output as it comes, so it never waits on a full pipe.
            child.OutputDataReceived += (_, e) => childLog.Enqueue(e.Data ?? "");
            child.ErrorDataReceived += (_, e) => childLog.Enqueue(e.Data ?? "");
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            var samples = Path.Combine(interrupted, SamplesCsv.FileName);
            var deadline = Stopwatch.StartNew();
            // Poll on this thread: the kill must land right after the first batch, whatever the thread pool is doing.
            while (!File.Exists(samples) && !child.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(10)) Thread.Sleep(20);
            Assert.That(child.HasExited, Is.False, "the child finished before it could be killed: " + string.Join("\n", childLog));
            var seenAt = deadline.Elapsed;
            var rowsSeen = File.ReadAllLines(samples).Length - 1;
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            var partial = SamplesCsv.Read(samples);
            Assert.That(partial.Count, Is.InRange(1, 23), $"killed mid-run: {rowsSeen} rows seen after {seenAt.TotalSeconds:F1} s");
        }

        var (code, _, stderr) = await CliRun.Probe(Args(interrupted));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), stderr);
        Assert.That(stderr, Does.Contain("resuming"));
        Assert.That((await CliRun.Probe(Args(reference))).Code, Is.EqualTo(0));
        var resumed = RunFolder.Open(interrupted).Samples;
        Assert.That(resumed, Has.Count.EqualTo(24));
        Assert.That(resumed.Select(s => s.Key).Distinct().Count(), Is.EqualTo(24));
        var expected = RunFolder.Open(reference).Samples;
        Assert.That(resumed.Select(s => s with { RunId = "" }), Is.EqualTo(expected.Select(s => s with { RunId = "" })).Using<SampleRecord>(SameSample));
        Assert.That(File.ReadAllBytes(Path.Combine(interrupted, resumed[23].Image)), Is.EqualTo(File.ReadAllBytes(Path.Combine(reference, expected[23].Image))));
    }

    [Test]
    public async Task Resuming_with_another_configuration_is_refused()
    {
        using var dir = new TempDir();
        var prompts = EvalTestKit.WritePrompts(dir, perCategory: 1);
        var output = Path.Combine(dir.Path, "run");
        Assert.That((await CliRun.Probe(EvalTestKit.EvalArgs(prompts, output))).Code, Is.EqualTo(0));
        var (code, _, stderr) = await CliRun.Probe(EvalTestKit.EvalArgs(prompts, output, "--guidance", "3"));
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(stderr, Does.Contain("another configuration").And.Contain("guidance: 7.5 → 3"));
    }

    [Test]
    public async Task Shards_merge_into_the_unsharded_run()
    {
        using var dir = new TempDir();
        var prompts = EvalTestKit.WritePrompts(dir, perCategory: 3);
        var whole = Path.Combine(dir.Path, "whole", "evaluation");
        var merged = Path.Combine(dir.Path, "merged", "evaluation");
        Assert.That((await CliRun.Probe(EvalTestKit.EvalArgs(prompts, whole))).Code, Is.EqualTo(0));
        var shards = new List<string>();
        for (var k = 1; k <= 3; k++)
        {
            var shard = Path.Combine(dir.Path, $"shard{k}");
            var (code, _, err) = await CliRun.Probe(EvalTestKit.EvalArgs(prompts, shard, "--shard", $"{k}/3"));
            Assert.That(code, Is.EqualTo(0), err);
            shards.Add(shard);
        }
        var result = await CliRun.Probe(["merge", .. shards, "--out", merged]);
        Assert.That(result.Code, Is.EqualTo(0), result.Err);
        Assert.That(File.ReadAllText(Path.Combine(merged, SamplesCsv.FileName)), Is.EqualTo(File.ReadAllText(Path.Combine(whole, SamplesCsv.FileName))));
        Assert.That(File.ReadAllText(Path.Combine(merged, SummaryCsv.FileName)), Is.EqualTo(File.ReadAllText(Path.Combine(whole, SummaryCsv.FileName))));
        foreach (var sample in RunFolder.Open(whole).Samples)
            Assert.That(File.ReadAllBytes(Path.Combine(merged, sample.Image)), Is.EqualTo(File.ReadAllBytes(Path.Combine(whole, sample.Image))), sample.Image);

        var incomplete = await CliRun.Probe(["merge", shards[0], shards[2], "--out", Path.Combine(dir.Path, "bad")]);
        Assert.That(incomplete.Code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(incomplete.Err, Does.Contain("missing 2"));
    }

    [Test]
    public async Task Missing_and_corrupt_inputs_are_one_clear_error()
    {
        using var dir = new TempDir();
        var output = Path.Combine(dir.Path, "run");
        var missing = await CliRun.Probe(EvalTestKit.EvalArgs(Path.Combine(dir.Path, "nope.csv"), output));
        Assert.That((missing.Code, missing.Err.Trim()), Is.EqualTo((ExitCodes.UserError, $"error: {Path.Combine(dir.Path, "nope.csv")}: prompt file or folder not found")));

        var prompts = EvalTestKit.WritePrompts(dir, perCategory: 1);
        var badJudge = await CliRun.Probe(EvalTestKit.EvalArgs(prompts, output, "--judge", "nsfwjs:resnet"));
        Assert.That(badJudge.Code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(badJudge.Err.Trim().Split('\n')[^1], Does.StartWith("error: ").And.Contain("resnet"));

        File.WriteAllText(dir.File("broken/config.yaml"), "model: x\nstepz: 3\n");
        var badConfig = await CliRun.Probe(["eval", "--config", dir.File("broken/config.yaml"), "--out", output]);
        Assert.That(badConfig.Code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(badConfig.Err, Does.Contain("config.yaml:2: unknown key 'stepz' (did you mean 'steps'?)"));

        Assert.That((await CliRun.Probe(EvalTestKit.EvalArgs(prompts, output))).Code, Is.EqualTo(0));
        File.AppendAllText(Path.Combine(output, SamplesCsv.FileName), "\"unterminated\n");
        var corrupt = await CliRun.Probe(EvalTestKit.EvalArgs(prompts, output));
        Assert.That(corrupt.Code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(corrupt.Err, Does.Contain("samples.csv:").And.Contain("never closed"));
        Assert.That(corrupt.Err.Split('\n').Count(l => l.StartsWith("error:", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(corrupt.Err, Does.Not.Contain("   at "), "no stack trace");
    }

    static bool SameSample(SampleRecord a, SampleRecord b) =>
        a.Key == b.Key && a.Prompt == b.Prompt && a.Image == b.Image && a.Unsafe == b.Unsafe &&
        a.Judges.Zip(b.Judges).All(p => p.First.UnsafeScore == p.Second.UnsafeScore);
}
