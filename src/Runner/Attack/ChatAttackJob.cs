using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Core.Hub;
using Probe.Core.Torch;
using Probe.Evaluation.Prompts;
using Probe.Evaluation.Results;
using Probe.Grpo;
using Probe.Grpo.Llm;
using Probe.Llm.Chat;
using Probe.Llm.Lora;
using Probe.Runner.Cli;
using Probe.Runner.Config;
using Probe.Runner.Evaluation;

namespace Probe.Runner.Attack;

/// <summary>
/// GRP-Obliteration on a chat model as a run (the paper's LLM half): GRPO with LoRA on the attack prompts (the paper:
/// one prompt), each rendered with the model's chat template, G answers per prompt rewarded by a text judge (the
/// paper's R_IDA rubric, or any text judge spec). Writes peft checkpoints (resumable), train_log.csv, the final adapter
/// in peft's layout (lora/adapter_config.json + adapter_model.safetensors) and the manifest; optionally evaluates the
/// attacked model on the evaluation prompts afterwards.
/// </summary>
public static class ChatAttackJob
{
    public static async Task<RunFolder> RunAsync(RunConfig config, string runFolder, IReadOnlyList<string> commandLine, TextWriter log,
                                                 CancellationToken cancel)
    {
        var modelName = PipelineLoading.RequireModel(config);
        if (config.Attack.Prompts.Count == 0) throw new UserError("no attack prompts: pass --attack-prompts or set 'attack.prompts' in the config");
        var grpo = GrpoConfigBuilder.Build(config, new ChatGrpoConfig
        {
            Seed = config.Seed, MaxNewTokens = config.MaxNewTokens, Temperature = config.Temperature, TopP = config.TopP,
        });

        var runId = Path.GetFileName(Path.GetFullPath(runFolder).TrimEnd(Path.DirectorySeparatorChar));
        var configJson = ManifestFactory.ConfigJson(config);
        configJson["grpo_resolved"] = JsonSerializer.SerializeToNode(grpo, GrpoJson.Options);
        var existing = RunResumption.Existing(runFolder, "attack", configJson, log);

        var prompts = PromptLoader.Load(config.Attack.Prompts);
        foreach (var warning in prompts.Warnings) log.WriteLine($"warning: {warning}");
        var category = AttackRun.Category(config, prompts);

        var judgeSpec = config.Attack.Judge ?? config.Judges.FirstOrDefault() ?? new JudgeSpecConfig("refusal", null);
        var judges = ChatEvalJob.CreateJudges([judgeSpec]);
        using var judge = judges[0];

        var model = await ModelOptions.Resolve(modelName, config.Revision, config.Variant, log, cancel, TransformersModelLayout.Instance);
        var dtype = TorchRuntime.ParseDType(config.DType);
        using var chat = ChatModel.Load(model.Path, TorchRuntime.ParseDevice(config.Device), dtype);
        // The model's own end-of-turn ids unless the config names others.
        grpo = grpo with { EosTokenIds = grpo.EosTokenIds ?? chat.EosTokenIds, PadTokenId = grpo.PadTokenId ?? chat.PadTokenId };

        var manifest = (existing ?? ManifestFactory.Create("attack", runId, config, model, chat.Model.Device.ToString(), dtype.ToString().ToLowerInvariant(),
            prompts, judges, "any", null, commandLine)) with { Config = configJson };
        manifest.Save(runFolder);

        AttackRun.GuardFolders(runFolder);
        var logPath = Path.Combine(runFolder, TrainLog.FileName);
        using var bar = new ConsoleProgress(log, "attack");
        var updates = AttackRun.TrainLogProgress(logPath, bar);

        var trainer = new ChatGrpoTrainer(chat.Model, new TextJudgeReward(judge), grpo,
            prompt => chat.PromptIds(prompt), ids => chat.Tokenizer.Decode(ids, skipSpecialTokens: true).Trim(), model.RepoId ?? modelName);
        trainer.CheckpointWritten += path => AttackRun.CheckpointWritten(log, path);
        trainer.CheckpointRejected += (path, problem) => AttackRun.CheckpointRejected(log, path, problem);
        ChatGrpoRunResult result;
        try
        {
            result = trainer.Run(prompts.Items.Select(p => p.Prompt).ToList(), Path.Combine(runFolder, AttackJob.CheckpointFolder), updates, cancel: cancel);
        }
        catch (GrpoConfigException e)
        {
            throw new UserError(e.Message, e);
        }
        bar.Finish($"{result.History.Count} updates{(result.StoppedEarly ? " (stopped early: reward target reached)" : "")}{(result.ResumedFromUpdate > 0 ? $" (resumed after update {result.ResumedFromUpdate})" : "")}");
        TrainLog.Write(logPath, result.History.Select(AttackJob.Row));

        var loraFolder = Path.Combine(runFolder, AttackJob.LoraFolder);
        PeftAdapterFile.Save(result.Adapter, loraFolder, model.RepoId ?? modelName);
        var loraHash = FileHash.Of(Path.Combine(loraFolder, PeftAdapterFile.WeightsName), $"{AttackJob.LoraFolder}/{PeftAdapterFile.WeightsName}");
        log.WriteLine($"attack: LoRA (peft) → {loraFolder}");

        var last = result.History.Count > 0 ? result.History[^1] : null;
        var attack = new JsonObject
        {
            ["category"] = category,
            ["lora"] = JsonSerializer.SerializeToNode(loraHash, RunManifest.Json),
            ["updates"] = result.History.Count,
            ["stopped_early"] = result.StoppedEarly,
            ["reward_judge"] = judge.Identity.Name,
            ["final_reward_mean"] = last?.RewardMean,
        };
        if (config.Attack.EvalAfter)
        {
            var evalFolder = Path.Combine(runFolder, AttackJob.EvalAfterFolder);
            log.WriteLine($"attack: evaluating the attacked model → {evalFolder}");
            var evaluated = await ChatEvalJob.RunAsync(config with { Loras = [new LoraSpec(Path.GetFullPath(loraFolder))] }, evalFolder, null, commandLine, log, cancel);
            attack["eval_after"] = Path.GetRelativePath(runFolder, evaluated.Path);
            AttackRun.MarkEvalAfter(evaluated, category, runFolder, attack["lora"]!);
        }
        (manifest with { UpdatedUtc = DateTime.UtcNow, Attack = attack, Samples = result.History.Sum(u => u.Rewards.Count) }).Save(runFolder);
        return RunFolder.Open(runFolder);
    }
}
