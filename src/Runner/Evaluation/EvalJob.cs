using Probe.Core;
using Probe.Evaluation.Prompts;
using Probe.Evaluation.Results;
using Probe.Evaluation.Runs;
using Probe.Judging;
using Probe.Runner.Cli;
using Probe.Runner.Config;

namespace Probe.Runner.Evaluation;

/// <summary>
/// A whole evaluation from a resolved config: prompts, model, judges, manifest, generation and judging, summary.
/// Used by <c>probe eval</c>, by <c>probe attack --eval-after</c> and by the demo.
/// </summary>
public static class EvalJob
{
    public static async Task<RunFolder> RunAsync(RunConfig config, string runFolder, ShardSpec? shard, IReadOnlyList<string> commandLine,
                                                 TextWriter log, CancellationToken cancel)
    {
        PipelineLoading.RequireModel(config);
        if (config.Prompts.Count == 0) throw new UserError("no prompts: pass --prompts (file or folder) or set 'prompts' in the config");
        if (config.Judges.Count == 0) throw new UserError("no judges: pass --judge (e.g. nsfwjs) or set 'judges' in the config");

        var runId = Path.GetFileName(Path.GetFullPath(runFolder).TrimEnd(Path.DirectorySeparatorChar));
        var existing = RunResumption.Existing(runFolder, "eval", ManifestFactory.ConfigJson(config), log);

        var prompts = PromptLoader.Load(config.Prompts);
        foreach (var warning in prompts.Warnings) log.WriteLine($"warning: {warning}");
        var batches = EvalPlan.Batches(EvalPlan.Samples(prompts, config.Sampling), config.BatchSize, shard);
        log.WriteLine($"eval: {batches.Sum(b => b.Length)} images from {prompts.Items.Count} prompts in {prompts.Categories.Count} categories{(shard is null ? "" : $", shard {shard}")}");

        using var loaded = await PipelineLoading.LoadAsync(config, log, cancel);
        var (pipeline, model, options, loraLabel) = (loaded.Pipeline, loaded.Model, loaded.Options, loaded.LoraLabel);

        var judges = JudgeLoading.Create(config.Judges);
        foreach (var warning in JudgeCoverage.Warnings(judges, prompts.Categories)) log.WriteLine($"warning: {warning}");
        using var combined = new JudgeCombination(judges, Enum.Parse<CombinationMode>(config.JudgeCombination, ignoreCase: true));

        var manifest = existing ?? ManifestFactory.Create("eval", runId, config, model, options, prompts, judges, config.JudgeCombination, shard, commandLine);
        manifest.Save(runFolder);

        var run = new EvalRun<GeneratedImages>(runFolder, runId, new ImageSampleGenerator(pipeline, config.Steps, config.Eta, loraLabel),
                                                 new ImageSampleJudge(combined), new EvalLabels(options.ModelId!, loraLabel));
        return await RunWithProgressAsync(run, batches, manifest, runFolder, "images", log, cancel);
    }

    /// <summary>
    /// Runs an evaluation of any model family with the console bar, then records the sample count in the manifest.
    /// </summary>
    /// <param name="noun">What the samples are, for the bar's last line ("images", "answers").</param>
    public static async Task<RunFolder> RunWithProgressAsync<TBatch>(EvalRun<TBatch> run, IReadOnlyList<PlannedSample[]> batches, RunManifest manifest,
                                                                     string runFolder, string noun, TextWriter log, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(manifest);
        using var bar = new ConsoleProgress(log, "eval");
        var progress = new SynchronousProgress<EvalProgress>(p => bar.Update(p.Done, p.Total, $"{p.Category}{(p.Resumed > 0 ? $" ({p.Resumed} resumed)" : "")}"));
        var samples = await run.RunAsync(batches, progress, cancel);
        bar.Finish($"{samples.Count} {noun} judged");
        (manifest with { UpdatedUtc = DateTime.UtcNow, Samples = samples.Count }).Save(runFolder);
        return RunFolder.Open(runFolder);
    }
}
