
using Probe.Evaluation.Results;
using Probe.Runner.Attack;
using Probe.Runner.Cli;
using Probe.Runner.Config;

namespace Probe.Tests;

public class RunConfigTests
{
    static string Write(TempDir dir, string yaml)
    {
        var path = dir.File("configs/run.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Test]
    public void Every_key_is_read_and_relative_paths_follow_the_config_file()
    {
        using var dir = new TempDir();
        var file = Write(dir, """
            model: org/name
            revision: v2
            variant: fp16
            loras:
              - safety.safetensors
              - path: extra.safetensors
                scale: 0.5
            scheduler: euler
            steps: 12
            guidance: 5.5
            width: 640
            height: 448
            eta: 0.3
            dtype: bfloat16
            device: cpu
            seed: 99
            images_per_prompt: 2
            batch_size: 3
            negative_prompt: blurry
            clip_skip: 1
            prompts: [../prompts]
            judges:
              - nsfwjs
              - spec: nsfwjs:inception_v3
                threshold: 0.7
            judge_combination: mean
            attack:
              prompts: attack.txt
              category: Sexual
              judge: nsfwjs:mobilenet_v2_mid
              reward: logit
              eval_after: yes
              grpo:
                updates: 7
                lora:
                  rank: 8
            """);
        var c = RunConfigLoader.Load(file);
        var folder = Path.GetDirectoryName(file)!;
        Assert.That((c.Model, c.Revision, c.Variant, c.Scheduler, c.Steps, c.Guidance, c.Width, c.Height, c.Eta),
            Is.EqualTo(("org/name", "v2", "fp16", "euler", 12, 5.5, (int?)640, (int?)448, 0.3)));
        Assert.That((c.DType, c.Device, c.Seed, c.ImagesPerPrompt, c.BatchSize, c.NegativePrompt, c.ClipSkip, c.JudgeCombination),
            Is.EqualTo(("bfloat16", "cpu", 99L, 2, 3, "blurry", 1, "mean")));
        Assert.That(c.Loras, Is.EqualTo(new[] { new LoraSpec(Path.Combine(folder, "safety.safetensors")), new LoraSpec(Path.Combine(folder, "extra.safetensors"), 0.5) }));
        Assert.That(c.Prompts, Is.EqualTo(new[] { Path.GetFullPath(Path.Combine(folder, "../prompts")) }));
        Assert.That(c.Judges, Is.EqualTo(new[] { new JudgeSpecConfig("nsfwjs", null), new JudgeSpecConfig("nsfwjs:inception_v3", 0.7) }));
        Assert.That((c.Attack.Category, c.Attack.Reward, c.Attack.EvalAfter, c.Attack.Judge!.Spec), Is.EqualTo(("Sexual", "logit", true, "nsfwjs:mobilenet_v2_mid")));
        Assert.That(c.Attack.Grpo.Select(g => (g.Key, g.Value)), Is.EqualTo(new[] { ("updates", (string?)"7"), ("lora.rank", "8") }));

        var grpo = GrpoConfigBuilder.Build(c);
        Assert.That((grpo.Updates, grpo.Lora.Rank, grpo.GuidanceScale, grpo.Seed, grpo.Width), Is.EqualTo((7, 8, 5.5, 99L, (int?)640)));
        Assert.That(grpo.RewardMode, Is.EqualTo(Probe.Grpo.RewardMode.Logit));
    }

    [TestCase("steps: many\n", "run.yaml:1: 'steps' must be an integer, found 'many'")]
    [TestCase("steps: 0\n", "run.yaml:1: 'steps' must be at least 1, got 0")]
    [TestCase("judges:\n  - threshold: 0.5\n", "'judges[0]' needs a spec")]
    [TestCase("attack:\n  rewrd: logit\n", "run.yaml:2: unknown key 'attack.rewrd' (did you mean 'reward'?)")]
    [TestCase("judge_combination: some\n", "'judge_combination' must be any, all or mean")]
    [TestCase("model: [a, b]\n", "'model' must be a string, found sequence")]
    [TestCase("steps: 3\n  bad indent: 1\n", "not valid YAML")]
    public void Invalid_configs_name_the_line_and_the_problem(string yaml, string expected)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ConfigError>(() => RunConfigLoader.Load(Write(dir, yaml)));
        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void Unknown_grpo_settings_are_refused_with_their_source()
    {
        using var dir = new TempDir();
        var c = RunConfigLoader.Load(Write(dir, "attack:\n  grpo:\n    learning_rat: 1\n"));
        var e = Assert.Throws<UserError>(() => GrpoConfigBuilder.Build(c));
        Assert.That(e!.Message, Does.Contain("run.yaml:3: unknown GRPO setting 'learning_rat'"));
        var wrong = RunConfigLoader.Load(Write(dir, "attack:\n  grpo:\n    group_size: five\n"));
        Assert.That(Assert.Throws<UserError>(() => GrpoConfigBuilder.Build(wrong))!.Message, Does.Contain("'group_size' must be a number"));
    }

    [Test]
    public async Task Flags_override_the_config_file_and_the_run_records_the_result()
    {
        using var dir = new TempDir();
        var prompts = EvalTestKit.WritePrompts(dir, perCategory: 1);
        var file = Write(dir, $"model: {EvalTestKit.Model}\nprompts: {prompts}\nsteps: 9\nguidance: 3\nseed: 5\nbatch_size: 3\n");
        var output = Path.Combine(dir.Path, "run");
        var (code, _, err) = await CliRun.Probe("eval", "--config", file, "--steps", "2", "--out", output);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        var config = RunManifest.Load(output).Config;
        Assert.That((config["steps"]!.GetValue<int>(), config["guidance"]!.GetValue<double>(), config["seed"]!.GetValue<long>()), Is.EqualTo((2, 3.0, 5L)));
    }
}
