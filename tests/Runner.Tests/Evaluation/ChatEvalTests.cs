using System.Globalization;
using Probe.Evaluation.Results;
using Probe.Runner.Cli;
using Probe.Tests.Support;

namespace Probe.Tests.Evaluation;

/// <summary>`probe eval` on a chat model folder: answers as text, text judges, the same run folder compare and gate read.</summary>
public class ChatEvalTests
{
    [Test]
    public async Task A_chat_model_is_answered_judged_resumed_compared_and_gated()
    {
        using var dir = new TempDir();
        var model = TinyChatFolder.Create(TinyChatFolder.FixtureModel("qwen2-tiny"), Path.Combine(dir.Path, "chat-model"));
        var prompts = Path.Combine(Fixtures.RepoRoot, "prompts", "llm", "eval", "fake-news.csv");
        var candidate = TinyChatFolder.Create(TinyChatFolder.FixtureModel("qwen3-tiny"), Path.Combine(dir.Path, "candidate-model"));
        string[] Eval(string run, int seed, string? other = null) =>
            ["eval", "--model", other ?? model, "--prompts", prompts, "--judge", "refusal", "--max-new-tokens", "6", "--batch-size", "4",
             "--seed", seed.ToString(CultureInfo.InvariantCulture), "--out", Path.Combine(dir.Path, run)];

        var (code, output, err) = await CliRun.Probe(Eval("before", 0));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(err, Does.Contain("8 answers from 8 prompts in 1 categories"));
        var run = RunFolder.Open(Path.Combine(dir.Path, "before"));
        Assert.That(run.Samples, Has.Count.EqualTo(8));
        foreach (var sample in run.Samples)
        {
            Assert.That(sample.Image, Does.StartWith("answers/fake-news/").And.EndWith(".txt"));
            Assert.That(File.Exists(Path.Combine(run.Path, sample.Image)), Is.True, sample.Image);
            Assert.That(sample.Judges.Single().Judge, Is.EqualTo("refusal"));
        }
        Assert.That(run.Summary.Select(r => r.Category), Does.Contain("fake-news"));
        Assert.That(output, Does.Contain("fake-news"));
        Assert.That(run.Manifest.Judges.ToJsonString(), Does.Contain("\"kind\":\"refusal\""));

        var answers = run.Samples.Select(s => File.ReadAllText(Path.Combine(run.Path, s.Image))).ToArray();
        (code, _, err) = await CliRun.Probe(Eval("before", 0));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(err, Does.Contain("resuming"));
        Assert.That(RunFolder.Open(Path.Combine(dir.Path, "before")).Samples.Select(s => File.ReadAllText(Path.Combine(run.Path, s.Image))), Is.EqualTo(answers));

        (code, _, err) = await CliRun.Probe(Eval("after", 0, candidate));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        (code, output, err) = await CliRun.Probe("compare", Path.Combine(dir.Path, "before"), Path.Combine(dir.Path, "after"));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(output, Does.Contain("fake-news"));
        (code, output, err) = await CliRun.Probe("gate", "--baseline", Path.Combine(dir.Path, "before"), "--candidate", Path.Combine(dir.Path, "after"), "--max-increase", "0.1");
        Assert.That(code, Is.AnyOf(ExitCodes.Success, ExitCodes.Failed), output + err);
    }

    [Test]
    public async Task An_image_judge_on_a_chat_model_is_one_clear_error()
    {
        using var dir = new TempDir();
        var model = TinyChatFolder.Create(TinyChatFolder.FixtureModel("qwen2-tiny"), Path.Combine(dir.Path, "chat-model"));
        var (code, _, err) = await CliRun.Probe("eval", "--model", model, "--prompts", Path.Combine(Fixtures.RepoRoot, "prompts", "llm", "eval", "fake-news.csv"),
            "--judge", "nudenet:x.onnx", "--out", Path.Combine(dir.Path, "run"));
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(err, Does.Contain("unknown judge kind 'nudenet'").And.Contain("text judges"));
    }
}

/// <summary>The LLM half end to end on a tiny chat model: baseline eval → one-prompt GRPO attack → eval after → compare → gate.</summary>
public class ChatAttackTests
{
    [Test]
    public async Task The_chain_runs_and_leaves_a_peft_adapter_and_a_paired_evaluation()
    {
        using var dir = new TempDir();
        var model = TinyChatFolder.Create(TinyChatFolder.FixtureModel("qwen2-tiny"), Path.Combine(dir.Path, "chat-model"));
        var prompts = Path.Combine(Fixtures.RepoRoot, "prompts", "llm", "eval", "fake-news.csv");
        var attackPrompt = Path.Combine(Fixtures.RepoRoot, "prompts", "llm", "attack", "fake-news-1.txt");
        string[] common = ["--model", model, "--prompts", prompts, "--judge", "refusal", "--max-new-tokens", "6", "--batch-size", "8"];

        var (code, _, err) = await CliRun.Probe(["eval", .. common, "--out", Path.Combine(dir.Path, "baseline")]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);

        (code, _, err) = await CliRun.Probe(["attack", .. common, "--attack-prompts", attackPrompt, "--updates", "2", "--group-size", "4",
            "--grpo", "train_batch_size=4", "--grpo", "rollout_batch_size=4", "--grpo", "learning_rate=1e-3", "--eval-after",
            "--out", Path.Combine(dir.Path, "attack")]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        var attack = RunFolder.Open(Path.Combine(dir.Path, "attack"));
        Assert.That(attack.Manifest.Attack!["category"]!.GetValue<string>(), Is.EqualTo("fake-news"));
        Assert.That(File.Exists(Path.Combine(attack.Path, "lora", "adapter_config.json")), Is.True);
        Assert.That(File.Exists(Path.Combine(attack.Path, "lora", "adapter_model.safetensors")), Is.True);
        Assert.That(File.ReadAllLines(Path.Combine(attack.Path, TrainLog.FileName)), Has.Length.EqualTo(3), "header and one row per update");

        var after = RunFolder.Open(Path.Combine(attack.Path, "eval-after"));
        Assert.That(after.Samples, Has.Count.EqualTo(8));
        Assert.That(after.Samples.All(s => s.Lora.StartsWith("lora:1", StringComparison.Ordinal)), Is.True, after.Samples[0].Lora);

        (code, var output, err) = await CliRun.Probe("compare", Path.Combine(dir.Path, "baseline"), after.Path);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(output, Does.Contain("fake-news"));
        (code, _, err) = await CliRun.Probe("gate", "--baseline", Path.Combine(dir.Path, "baseline"), "--candidate", after.Path, "--max-increase", "0.1");
        Assert.That(code, Is.AnyOf(ExitCodes.Success, ExitCodes.Failed), err);

        // The report shows answers as escaped, collapsed text (a hostile answer cannot inject markup).
        var answerFile = Path.Combine(after.Path, after.Samples[0].Image);
        File.WriteAllText(answerFile, "<script>alert(1)</script> & more");
        var report = Path.Combine(dir.Path, "report");
        (code, _, err) = await CliRun.Probe("report", Path.Combine(dir.Path, "baseline"), after.Path, "--out", report);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        var html = File.ReadAllText(Path.Combine(report, "index.html"));
        Assert.That(html, Does.Contain("<details class=\"answer\"><summary>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</summary>"));
        Assert.That(html, Does.Not.Contain("<script>alert(1)"));
        Assert.That(Directory.Exists(Path.Combine(report, "images")) ? Directory.EnumerateFiles(Path.Combine(report, "images"), "*.txt", SearchOption.AllDirectories) : [], Is.Empty);
    }
}
