using System.Text.Json;
using Probe.Diffusion.Lora;
using Probe.Evaluation.Results;
using Probe.Runner.Cli;

namespace Probe.Tests;

/// <summary>The whole chain on the tiny model through the command line: eval → attack → eval → compare → gate → report.</summary>
public class EndToEndTests
{
    [Test]
    public async Task Eval_attack_eval_compare_gate_report()
    {
        using var dir = new TempDir();
        var prompts = EvalTestKit.WritePrompts(dir, perCategory: 2);
        var attackPrompts = dir.File("attack-3.txt");
        File.WriteAllLines(attackPrompts, ["# category: sexuality", "attack prompt one", "attack prompt two"]);
        var baseline = Path.Combine(dir.Path, "baseline");
        var attack = Path.Combine(dir.Path, "attack");

        var eval = await CliRun.Probe(EvalTestKit.EvalArgs(prompts, baseline));
        Assert.That(eval.Code, Is.EqualTo(ExitCodes.Success), eval.Err);

        string[] attackArgs =
        [
            "attack", "--model", EvalTestKit.Model, "--attack-prompts", attackPrompts, "--prompts", prompts,
            "--steps", "2", "--batch-size", "2", "--seed", "7", "--updates", "2", "--group-size", "2", "--grpo-steps", "3",
            "--grpo", "train_batch_size=2", "--grpo", "checkpoint_every=1", "--grpo", "lora.rank=2", "--eval-after", "--out", attack,
        ];
        var attacked = await CliRun.Probe(attackArgs);
        Assert.That(attacked.Code, Is.EqualTo(ExitCodes.Success), attacked.Err);

        // The attack run: train log, checkpoints, a LoRA diffusers can read, a manifest naming it with its hash.
        var run = RunFolder.Open(attack);
        Assert.That(run.TrainLog!.Updates, Is.EqualTo(2));
        Assert.That(run.TrainLog.Series["update"], Is.EqualTo(new double[] { 1, 2 }));
        Assert.That(run.TrainLog.Series["ratio_min"].All(r => r is > 0.5 and < 2), Is.True);
        Assert.That(Directory.GetDirectories(Path.Combine(attack, "checkpoints")), Has.Length.EqualTo(2));
        var lora = Path.Combine(attack, "lora", LoraFile.WeightName);
        Assert.That(run.Manifest.Kind, Is.EqualTo("attack"));
        Assert.That(run.Manifest.Attack!["category"]!.GetValue<string>(), Is.EqualTo("sexuality"));
        Assert.That(run.Manifest.Attack["lora"]!["sha256"]!.GetValue<string>(), Is.EqualTo(FileHash.Of(lora).Sha256));
        Assert.That(run.Manifest.Config["grpo_resolved"]!["updates"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(run.Manifest.Config["grpo_resolved"]!["lora"]!["rank"]!.GetValue<int>(), Is.EqualTo(2));
        using (var weights = Probe.Core.Safetensors.SafetensorsFile.Open(lora))
            Assert.That(weights.Tensors.Keys, Has.Some.Match(@"^unet\..*\.attn1\.to_q\.lora_A\.weight$"));

        // Rerunning the same command resumes from the last checkpoint: nothing is trained again, the LoRA is the same.
        var loraHash = FileHash.Of(lora).Sha256;
        var again = await CliRun.Probe(attackArgs);
        Assert.That(again.Code, Is.EqualTo(ExitCodes.Success), again.Err);
        Assert.That(again.Err, Does.Contain("attack: resuming"));
        Assert.That(FileHash.Of(lora).Sha256, Is.EqualTo(loraHash));
        Assert.That(RunFolder.Open(attack).TrainLog!.Updates, Is.EqualTo(2));

        // The attacked model's evaluation: same samples as the baseline, with the attack LoRA recorded.
        var after = RunFolder.Open(Path.Combine(attack, "eval-after"));
        var before = RunFolder.Open(baseline);
        Assert.That(after.Samples.Select(s => s.Key), Is.EqualTo(before.Samples.Select(s => s.Key)));
        Assert.That(after.Samples.All(s => s.Lora == $"{LoraFile.WeightName}:1"), Is.True);
        Assert.That(after.Manifest.Loras.Single().File.Sha256, Is.EqualTo(FileHash.Of(lora).Sha256));
        var changed = after.Samples.Zip(before.Samples).Count(p => p.First.Judges[0].UnsafeScore != p.Second.Judges[0].UnsafeScore);
        Assert.That(changed, Is.GreaterThan(0), "the attack LoRA changes the images");

        var compare = await CliRun.Probe("compare", baseline, after.Path, "--out", dir.File("compare.csv"));
        Assert.That(compare.Code, Is.EqualTo(ExitCodes.Success), compare.Err);
        Assert.That(compare.Out, Does.Contain("sexuality (attacked)"));

        var gate = await CliRun.Probe("gate", "--baseline", baseline, "--candidate", after.Path, "--max-increase", "5", "--json");
        Assert.That(gate.Code, Is.EqualTo(ExitCodes.Failed), "6 images cannot show an increase below 5 points");
        using (var verdict = JsonDocument.Parse(gate.Out))
            Assert.That(verdict.RootElement.GetProperty("passed").GetBoolean(), Is.False);

        var report = await CliRun.Probe("report", baseline, after.Path, attack, "--out", Path.Combine(dir.Path, "report"));
        Assert.That(report.Code, Is.EqualTo(ExitCodes.Success), report.Err);
        var html = File.ReadAllText(Path.Combine(dir.Path, "report", "index.html"));
        Assert.That(html, Does.Contain("Attack training"));
        Assert.That(html, Does.Not.Contain("<script>window.__pwned"), "prompts are escaped");
        Assert.That(Directory.GetFiles(Path.Combine(dir.Path, "report", "images"), "*.png", SearchOption.AllDirectories), Has.Length.EqualTo(12));
    }
}
