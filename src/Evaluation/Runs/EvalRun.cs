using System.Text.Json;
using Probe.Evaluation.Io;
using Probe.Evaluation.Results;
using Probe.Judging;

namespace Probe.Evaluation.Runs;

/// <summary>
/// Generates and judges every planned sample into a run folder: artefacts under images/, one row per sample in
/// samples.csv (rewritten atomically after every batch, so a killed run loses at most the batch in flight and a rerun
/// continues where it stopped, without duplicates), summary.csv at the end. Knows no model family: the generator and
/// the judge are given.
/// </summary>
public sealed class EvalRun<TBatch>(string runFolder, string runId, ISampleGenerator<TBatch> generator, ISampleJudge<TBatch> judge, EvalLabels labels)
{
    /// <param name="batches">The planned batches of this run (one shard's share when sharded), in order.</param>
    public async Task<IReadOnlyList<SampleRecord>> RunAsync(IReadOnlyList<PlannedSample[]> batches, IProgress<EvalProgress>? progress = null,
                                                           CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
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
            var records = await GenerateAndJudge(batch, cancel).ConfigureAwait(false);
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
        var output = generator.Generate(batch, cancel);
        try
        {
            return await JudgeAndSave(batch, output, cancel).ConfigureAwait(false);
        }
        finally
        {
            (output as IDisposable)?.Dispose();
        }
    }

    async Task<List<SampleRecord>> JudgeAndSave(PlannedSample[] batch, TBatch output, CancellationToken cancel)
    {
        var verdicts = await judge.JudgeAsync(output, cancel).ConfigureAwait(false);
        if (verdicts.Count != batch.Length) throw new InvalidOperationException($"the judge returned {verdicts.Count} verdicts for {batch.Length} samples");

        var records = new List<SampleRecord>(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            var planned = batch[i];
            // An existing --out is untrusted: an images/ link in it must not make the run write elsewhere.
            var image = RunPaths.Inside(runFolder, planned.ImagePath, $"{runFolder}: image of {planned.Prompt.Category}/{planned.Prompt.Id} seed {planned.Seed}");
            generator.Save(output, i, planned, image);
            var verdict = verdicts[i];
            var members = verdict.Members.Count > 0 ? verdict.Members : [verdict];
            records.Add(new SampleRecord
            {
                RunId = runId, Model = labels.Model, Lora = labels.Lora, Category = planned.Prompt.Category,
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

    /// <summary>The artefact's own metadata (category and prompt id, never the run id, so shards and resumed runs write identical files).</summary>
    public static string ArtefactTag(PlannedSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return JsonSerializer.Serialize(new Dictionary<string, string> { ["category"] = sample.Prompt.Category, ["prompt_id"] = sample.Prompt.Id });
    }
}

/// <summary>What every row of an evaluation records about the model: its name and the LoRAs applied.</summary>
public sealed record EvalLabels(string Model, string Lora);
