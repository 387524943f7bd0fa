using Probe.Core.Hub;
using Probe.Core.Torch;
using Probe.Evaluation.Prompts;
using Probe.Evaluation.Results;
using Probe.Evaluation.Runs;
using Probe.Judging;
using Probe.Judging.Text;
using Probe.Llm.Chat;
using Probe.Runner.Cli;
using Probe.Runner.Config;

namespace Probe.Runner.Evaluation;

/// <summary>
/// <c>probe eval</c> on a chat model: every prompt answered (n answers per prompt, one seed each), every answer judged
/// by the text judges, per-category fulfilment (unsafe) rates — the same resumable, shardable run folder as the image
/// path (answers under answers/ as text), so compare, gate, merge and report read it unchanged.
/// </summary>
public static class ChatEvalJob
{
    public static async Task<RunFolder> RunAsync(RunConfig config, string runFolder, ShardSpec? shard, IReadOnlyList<string> commandLine,
                                                 TextWriter log, CancellationToken cancel)
    {
        var modelName = PipelineLoading.RequireModel(config);
        if (config.Prompts.Count == 0) throw new UserError("no prompts: pass --prompts (file or folder) or set 'prompts' in the config");
        var sampling = new ChatSampling { MaxNewTokens = config.MaxNewTokens, Temperature = config.Temperature, TopP = config.TopP };
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message, e);
        }

        var runId = Path.GetFileName(Path.GetFullPath(runFolder).TrimEnd(Path.DirectorySeparatorChar));
        var existing = RunResumption.Existing(runFolder, "eval", ManifestFactory.ConfigJson(config), log);

        var prompts = PromptLoader.Load(config.Prompts);
        foreach (var warning in prompts.Warnings) log.WriteLine($"warning: {warning}");
        var batches = EvalPlan.Batches(EvalPlan.Samples(prompts, config.Sampling, SampleArtefact.Answer), config.BatchSize, shard);
        log.WriteLine($"eval: {batches.Sum(b => b.Length)} answers from {prompts.Items.Count} prompts in {prompts.Categories.Count} categories{(shard is null ? "" : $", shard {shard}")}");

        var judges = CreateJudges(config.Judges);
        try
        {
            using var combined = new TextJudgeCombination(judges, Enum.Parse<CombinationMode>(config.JudgeCombination, ignoreCase: true));
            var model = await ModelOptions.Resolve(modelName, config.Revision, config.Variant, log, cancel, TransformersModelLayout.Instance);
            var device = TorchRuntime.ParseDevice(config.Device);
            var dtype = TorchRuntime.ParseDType(config.DType);
            using var chat = ChatModel.Load(model.Path, device, dtype);
            ApplyAdapters(chat, config.Loras, log);
            var manifest = existing ?? ManifestFactory.Create("eval", runId, config, model, chat.Model.Device.ToString(), dtype.ToString().ToLowerInvariant(),
                prompts, judges, config.JudgeCombination, shard, commandLine);
            manifest.Save(runFolder);

            var run = new EvalRun<ChatAnswers>(runFolder, runId, new ChatSampleGenerator(chat, sampling), new ChatSampleJudge(combined),
                                               new EvalLabels(model.RepoId ?? modelName, string.Join("+", config.Loras.Select(l => $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(l.Path))}:{l.Scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}"))));
            return await EvalJob.RunWithProgressAsync(run, batches, manifest, runFolder, "answers", log, cancel);
        }
        finally
        {
            foreach (var judge in judges) judge.Dispose();
        }
    }

    /// <summary>Stacks peft adapter folders (e.g. an attack's lora/) on the model, each with its scale.</summary>
    static void ApplyAdapters(ChatModel chat, IReadOnlyList<LoraSpec> loras, TextWriter log)
    {
        if (loras.Count == 0) return;
        var lora = Probe.Llm.Lora.CausalLMLora.Of(chat.Model);
        for (var i = 0; i < loras.Count; i++)
        {
            var path = loras[i].Path;
            if (!Directory.Exists(path) && !File.Exists(path)) throw new UserError($"{path}: LoRA not found (a chat model takes a peft adapter folder)");
            lora.LoadAdapter(path, $"lora{i}", loras[i].Scale);
            log.WriteLine($"lora: {path} (scale {loras[i].Scale.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }
    }

    /// <summary>The run's text judges from their specs (refusal, rida:…, sorrybench:…, llamaguard:…).</summary>
    public static IReadOnlyList<IJudge<PromptAnswer>> CreateJudges(IReadOnlyList<JudgeSpecConfig> specs)
    {
        var context = new Probe.Judging.Specs.JudgeFactoryContext { JudgeCacheFolder = JudgeLoading.CacheFolder };
        var judges = new List<IJudge<PromptAnswer>>();
        try
        {
            // The image default (nsfwjs) means "no judge given" here: refusal phrases are the free default for answers.
            var given = specs.Count == 1 && specs[0].Spec == "nsfwjs" && specs[0].Threshold is null ? [new JudgeSpecConfig("refusal", null)] : specs;
            foreach (var spec in given) judges.Add(TextJudgeFactory.Registry.Create(spec.Spec, spec.Threshold, context));
            return judges;
        }
        catch (Probe.Judging.Specs.JudgeSpecException e)
        {
            foreach (var j in judges) j.Dispose();
            throw new UserError(e.Message + " (a chat model is judged by text judges: refusal, rida:<url>,<model>, sorrybench:<url>,<model>, llamaguard:<url>,<model>)", e);
        }
    }
}
