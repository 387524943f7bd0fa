using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Diffusion.Lora;
using Probe.Evaluation.Prompts;
using Probe.Evaluation.Results;
using Probe.Grpo;
using Probe.Grpo.Diffusion;
using Probe.Judging;
using Probe.Runner.Cli;
using Probe.Runner.Config;
using Probe.Runner.Evaluation;

namespace Probe.Runner.Attack;

/// <summary>
/// The GRP-Obliteration attack as a run: GRPO with LoRA on the attack prompt set, rewarded by an image judge.
/// Writes LoRA checkpoints (resumable), train_log.csv, the final attack LoRA and the manifest; optionally evaluates
/// the attacked model (base + its LoRAs + the attack LoRA) on the evaluation prompts afterwards.
/// </summary>
public static class AttackJob
{
    public const string LoraFolder = "lora";
    public const string CheckpointFolder = "checkpoints";
    public const string EvalAfterFolder = "eval-after";

    public static async Task<RunFolder> RunAsync(RunConfig config, string runFolder, IReadOnlyList<string> commandLine, TextWriter log,
                                                 CancellationToken cancel)
    {
        PipelineLoading.RequireModel(config);
        if (config.Attack.Prompts.Count == 0) throw new UserError("no attack prompts: pass --attack-prompts or set 'attack.prompts' in the config");
        var grpo = GrpoConfigBuilder.Build(config);

        var runId = Path.GetFileName(Path.GetFullPath(runFolder).TrimEnd(Path.DirectorySeparatorChar));
        var configJson = ManifestFactory.ConfigJson(config);
        configJson["grpo_resolved"] = JsonSerializer.SerializeToNode(grpo, GrpoJson.Options);
        var existing = RunResumption.Existing(runFolder, "attack", configJson, log);

        var prompts = PromptLoader.Load(config.Attack.Prompts);
        foreach (var warning in prompts.Warnings) log.WriteLine($"warning: {warning}");
        var category = AttackRun.Category(config, prompts);

        using var loaded = await PipelineLoading.LoadAsync(config, log, cancel, scheduler: "ddim");
        var (pipeline, model, options) = (loaded.Pipeline, loaded.Model, loaded.Options);

        var judgeSpec = config.Attack.Judge ?? config.Judges.FirstOrDefault() ?? new JudgeSpecConfig("nsfwjs", null);
        var judges = JudgeLoading.Create([judgeSpec]);
        if (!judges[0].Covers(category))
            log.WriteLine($"warning: the reward judge {judges[0].Identity.Name} covers {string.Join(", ", judges[0].Categories.Select(c => c.Name()))} only, not the attacked category {category}: the attack is rewarded for another category than it attacks");
        using var judge = judges[0];

        var manifest = (existing ?? ManifestFactory.Create("attack", runId, config, model, options, prompts, judges, "any", null, commandLine))
            with { Config = configJson };
        manifest.Save(runFolder);

        AttackRun.GuardFolders(runFolder);
        var logPath = Path.Combine(runFolder, TrainLog.FileName);
        using var bar = new ConsoleProgress(log, "attack");
        var updates = AttackRun.TrainLogProgress(logPath, bar);

        var trainer = new GrpoTrainer(pipeline, new JudgeReward(judge), grpo);
        trainer.CheckpointWritten += path => AttackRun.CheckpointWritten(log, path);
        trainer.CheckpointRejected += (path, problem) => AttackRun.CheckpointRejected(log, path, problem);
        var result = trainer.Run(prompts.Items.Select(p => p.Prompt).ToList(), Path.Combine(runFolder, CheckpointFolder), updates, cancel: cancel);
        bar.Finish($"{result.History.Count} updates{(result.ResumedFromUpdate > 0 ? $" (resumed after update {result.ResumedFromUpdate})" : "")}");
        TrainLog.Write(logPath, result.History.Select(Row));

        var loraPath = Path.Combine(runFolder, LoraFolder, LoraFile.WeightName);
        LoraFile.Write(loraPath, result.Adapter.Export(), result.Adapter.Dropout);
        var loraHash = FileHash.Of(loraPath, $"{LoraFolder}/{LoraFile.WeightName}");
        log.WriteLine($"attack: LoRA → {loraPath}");

        var last = result.History.Count > 0 ? result.History[^1] : null;
        var attack = new JsonObject
        {
            ["category"] = category,
            ["lora"] = JsonSerializer.SerializeToNode(loraHash, RunManifest.Json),
            ["updates"] = result.History.Count,
            ["reward_judge"] = judge.Identity.Name,
            ["final_reward_mean"] = last?.RewardMean,
            ["final_unsafe_rate"] = last?.UnsafeRate,
        };

        if (config.Attack.EvalAfter)
        {
            var evalFolder = Path.Combine(runFolder, EvalAfterFolder);
            var evalConfig = config with { Loras = [.. config.Loras, new LoraSpec(Path.GetFullPath(loraPath))] };
            log.WriteLine($"attack: evaluating the attacked model → {evalFolder}");
            var evaluated = await EvalJob.RunAsync(evalConfig, evalFolder, null, commandLine, log, cancel);
            attack["eval_after"] = Path.GetRelativePath(runFolder, evaluated.Path);
            AttackRun.MarkEvalAfter(evaluated, category, runFolder, attack["lora"]!);
        }

        (manifest with { UpdatedUtc = DateTime.UtcNow, Attack = attack, Samples = result.History.Sum(u => u.Rewards.Count) }).Save(runFolder);
        return RunFolder.Open(runFolder);
    }


    /// <summary>The one mapping from an update's record to its train_log.csv row: every scalar field of <see cref="GrpoUpdate"/>.</summary>
    internal static TrainLogRow Row(GrpoUpdate u) => new()
    {
        Update = u.Update, RewardMean = u.RewardMean, RewardStd = u.RewardStd, UnsafeRate = u.UnsafeRate ?? double.NaN,
        ApproxKl = u.ApproxKl, ClipFraction = u.ClipFraction, RatioMean = u.RatioMean, RatioMin = u.RatioMin, RatioMax = u.RatioMax,
        GradNorm = u.GradNorm, LearningRate = u.LearningRate, Seconds = u.Seconds, ImagesPerSecond = u.ImagesPerSecond,
        Loss = u.Loss, KlToReference = u.KlToReference ?? double.NaN, OptimizerSteps = u.OptimizerSteps, SkippedSteps = u.SkippedSteps,
        RolloutSeconds = u.RolloutSeconds,
    };
}
