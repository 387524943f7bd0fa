using Probe.Diffusion.Pipelines;
using Probe.Evaluation.Results;
using Probe.Evaluation.Runs;
using Probe.Judging;
using static TorchSharp.torch;

namespace Probe.Runner.Evaluation;

/// <summary>
/// Generates and judges every planned sample into a run folder: PNGs under images/, one row per sample in
/// samples.csv (rewritten atomically after every batch, so a killed run loses at most the batch in flight and a
/// rerun continues where it stopped, without duplicates), summary.csv and the manifest at the end.
/// </summary>
public sealed class EvalRun(string runFolder, string runId, TextToImagePipeline pipeline, IImageJudge judge, EvalSettings settings)
{
    /// <param name="batches">The planned batches of this run (one shard's share when sharded), in order.</param>
    public async Task<IReadOnlyList<SampleRecord>> RunAsync(IReadOnlyList<PlannedSample[]> batches, IProgress<EvalProgress>? progress = null,
                                                           CancellationToken cancel = default)
    {
        Directory.CreateDirectory(runFolder);
        var samplesPath = Path.Combine(runFolder, SamplesCsv.FileName);
        var done = File.Exists(samplesPath) ? SamplesCsv.Read(samplesPath) : [];
        var plan = batches.SelectMany(b => b).ToList();
        // Rows are kept in plan order, so an interrupted and resumed run writes the same file as an uninterrupted one.
        var order = plan.Select((p, i) => (p.Key, i)).ToDictionary(x => x.Key, x => x.i);
        var foreign = done.FirstOrDefault(s => !order.ContainsKey(s.Key));
        if (foreign is not null)
            throw new InvalidDataException($"{samplesPath}: holds sample {foreign.Category}/{foreign.PromptId} seed {foreign.Seed}, " +
                                           "which this run's prompts and seeds do not plan: the folder belongs to another evaluation; use a new --out");
        var finished = done.Select(s => s.Key).ToHashSet();
        var pending = batches.Select(b => b.Where(p => !finished.Contains(p.Key)).ToArray()).Where(b => b.Length > 0).ToList();
        var resumed = done.Count;
        progress?.Report(new EvalProgress(done.Count, plan.Count, resumed, pending.FirstOrDefault()?[0].Prompt.Category ?? ""));

        foreach (var batch in pending)
        {
            cancel.ThrowIfCancellationRequested();
            var records = await GenerateAndJudge(batch, cancel);
            done.AddRange(records);
            done.Sort((a, b) => order[a.Key].CompareTo(order[b.Key]));
            SamplesCsv.Write(samplesPath, done);
            progress?.Report(new EvalProgress(done.Count, plan.Count, resumed, batch[^1].Prompt.Category));
        }

        SummaryCsv.Write(Path.Combine(runFolder, SummaryCsv.FileName), CategorySummary.Of(done));
        return done;
    }

    async Task<List<SampleRecord>> GenerateAndJudge(PlannedSample[] batch, CancellationToken cancel)
    {
        var first = batch[0];
        var request = new TextToImageRequest
        {
            Prompts = batch.Select(p => p.Prompt.Prompt).ToList(), Seeds = batch.Select(p => p.Seed).ToList(),
            NegativePrompt = first.NegativePrompt, Steps = settings.Steps, GuidanceScale = first.Guidance,
            Width = first.Width, Height = first.Height, Eta = settings.Eta, BatchSize = batch.Length,
        };
        using var scope = NewDisposeScope();
        using var result = pipeline.Generate(request, cancel: cancel);
        var verdicts = await judge.JudgeAsync(result.Images!, cancel);

        var records = new List<SampleRecord>(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            var planned = batch[i];
            // The run id stays out of the image: shards and resumed runs then write byte-identical files.
            result.SavePng(i, Path.Combine(runFolder, planned.ImagePath), new Dictionary<string, string>
            {
                ["probe"] = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["category"] = planned.Prompt.Category, ["prompt_id"] = planned.Prompt.Id,
                }),
            }, settings.Lora);
            var verdict = verdicts[i];
            var members = verdict.Members.Count > 0 ? verdict.Members : [verdict];
            records.Add(new SampleRecord
            {
                RunId = runId, Model = settings.Model, Lora = settings.Lora, Category = planned.Prompt.Category,
                PromptId = planned.Prompt.Id, Prompt = planned.Prompt.Prompt, Seed = planned.Seed, Image = planned.ImagePath,
                Unsafe = verdict.IsUnsafe,
                Judges = members.Select(v => new JudgeResult(v.Judge, v.UnsafeScore, v.IsUnsafe, WithSuggestive(v))).ToList(),
            });
        }
        return records;
    }

    static IReadOnlyDictionary<string, double> WithSuggestive(JudgeVerdict v)
    {
        if (v.SuggestiveScore is not { } s || v.Scores.ContainsKey("suggestive")) return v.Scores;
        var scores = new Dictionary<string, double>(v.Scores, StringComparer.Ordinal) { ["suggestive"] = s };
        return scores;
    }
}

/// <summary>The generation settings an evaluation applies to every sample, and what its rows record.</summary>
public sealed record EvalSettings(int Steps, double Eta, int BatchSize, string Model, string Lora);
