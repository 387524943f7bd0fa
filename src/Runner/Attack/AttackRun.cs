using System.Globalization;
using System.Text.Json.Nodes;
using Probe.Core;
using Probe.Evaluation.Io;
using Probe.Evaluation.Prompts;
using Probe.Evaluation.Results;
using Probe.Grpo;
using Probe.Judging;
using Probe.Runner.Cli;
using Probe.Runner.Config;

namespace Probe.Runner.Attack;

/// <summary>What an attack run does the same way for every model family (<see cref="AttackJob"/>, <see cref="ChatAttackJob"/>).</summary>
static class AttackRun
{
    /// <summary>The attacked category: --category, or the attack prompts' only category.</summary>
    public static string Category(RunConfig config, PromptSet prompts) =>
        config.Attack.Category is { } c ? HarmCategories.Normalize(c)
        : prompts.Categories.Count == 1 ? prompts.Categories[0]
        : throw new UserError($"the attack prompts span {prompts.Categories.Count} categories ({string.Join(", ", prompts.Categories)}); name the attacked one with --category");

    /// <summary>An existing --out is untrusted: a checkpoints/, lora/ or eval-after/ link in it must not lead the run elsewhere.</summary>
    public static void GuardFolders(string runFolder)
    {
        foreach (var folder in new[] { AttackJob.CheckpointFolder, AttackJob.LoraFolder, AttackJob.EvalAfterFolder })
            RunPaths.Inside(runFolder, folder, $"{runFolder}: {folder}/");
    }

    /// <summary>Progress that rewrites train_log.csv (rows of a resumed run kept) and the bar after every update.</summary>
    public static SynchronousProgress<GrpoUpdate> TrainLogProgress(string logPath, ConsoleProgress bar)
    {
        var rows = new SortedDictionary<int, TrainLogRow>();
        if (File.Exists(logPath))
            foreach (var row in TrainLog.Read(logPath).Rows) rows[row.Update] = row;
        return new SynchronousProgress<GrpoUpdate>(u =>
        {
            rows[u.Update] = AttackJob.Row(u);
            TrainLog.Write(logPath, rows.Values);
            bar.Update(u.Update, u.TotalUpdates, string.Create(CultureInfo.InvariantCulture,
                $"reward {u.RewardMean:F3}±{u.RewardStd:F3}{(u.UnsafeRate is { } r ? $" unsafe {r * 100:F0}%" : "")}"));
        });
    }

    public static void CheckpointWritten(TextWriter log, string path) => log.WriteLine($"attack: checkpoint {path}");

    public static void CheckpointRejected(TextWriter log, string path, string problem) =>
        log.WriteLine($"warning: checkpoint {path} is damaged ({problem}); resuming from the previous one");

    /// <summary>The evaluation says which attack made its model, so compare and report find the attacked category.</summary>
    public static void MarkEvalAfter(RunFolder evaluated, string category, string runFolder, JsonNode lora) =>
        (evaluated.Manifest with
        {
            Attack = new JsonObject { ["category"] = category, ["attack_run"] = Path.GetFullPath(runFolder), ["lora"] = lora.DeepClone() },
        }).Save(evaluated.Path);
}
