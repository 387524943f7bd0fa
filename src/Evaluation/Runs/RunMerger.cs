
using Probe.Core.Io;
using Probe.Evaluation.Io;
using Probe.Evaluation.Prompts;
using Probe.Evaluation.Results;

namespace Probe.Evaluation.Runs;

/// <summary>
/// Combines the shards of an evaluation (<c>probe eval --shard k/n</c>) into one run folder identical to the run an
/// unsharded evaluation with the same configuration would have written: same rows in the same order, same images.
/// </summary>
public static class RunMerger
{
    public static RunFolder Merge(IReadOnlyList<string> shardFolders, string output, IReadOnlyList<string> commandLine, TextWriter log)
    {
        if (shardFolders.Count == 0) throw new EvaluationException("no shard folders given");
        var shards = shardFolders.Select(RunFolder.Open).ToList();
        var first = shards[0].Manifest;
        foreach (var shard in shards)
        {
            if (shard.Manifest.Kind != "eval") throw new EvaluationException($"{shard.Path} is a {shard.Manifest.Kind} run; only evaluations merge");
            var differences = ConfigDifferences.Between(first.Config, shard.Manifest.Config);
            if (differences.Count > 0)
                throw new EvaluationException($"{shard.Path} was run with another configuration than {shards[0].Path}: {string.Join("; ", differences)}");
        }

        var count = first.Shard?.Count ?? 1;
        var indices = shards.Select(s => s.Manifest.Shard?.Index ?? 1).ToList();
        if (shards.Any(s => (s.Manifest.Shard?.Count ?? 1) != count))
            throw new EvaluationException($"the folders come from different shard counts ({string.Join(", ", shards.Select(s => s.Manifest.Shard?.ToString() ?? "unsharded"))})");
        var missing = Enumerable.Range(1, count).Except(indices).ToList();
        var repeated = indices.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (missing.Count > 0 || repeated.Count > 0)
            throw new EvaluationException($"shards of {count}: {(missing.Count > 0 ? $"missing {string.Join(", ", missing)}" : "")}{(repeated.Count > 0 ? $" repeated {string.Join(", ", repeated)}" : "")}".Trim());

        // Re-plan from the prompt files (verified unchanged) to restore plan order and check every shard finished.
        var config = RunConfigJson(first);
        foreach (var prompt in first.Prompts)
        {
            if (!File.Exists(prompt.Path)) throw new EvaluationException($"{prompt.Path}: prompt file of the run is missing; merge where the run's files are");
            if (FileHash.Of(prompt.Path).Sha256 != prompt.Sha256) throw new EvaluationException($"{prompt.Path}: changed since the run (SHA-256 differs)");
        }
        var plan = EvalPlan.Samples(PromptLoader.Load(first.Prompts.Select(p => p.Path).ToList()), config);
        var order = plan.Select((p, i) => (p.Key, i)).ToDictionary(x => x.Key, x => x.i);

        var runId = Path.GetFileName(Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar));
        var merged = new List<SampleRecord>();
        var seen = new HashSet<(string, string, long)>();
        foreach (var shard in shards)
            foreach (var sample in shard.Samples)
            {
                if (!order.ContainsKey(sample.Key)) throw new EvaluationException($"{shard.Path}: sample {sample.Category}/{sample.PromptId} seed {sample.Seed} is not in the run's plan");
                if (!seen.Add(sample.Key)) throw new EvaluationException($"{shard.Path}: sample {sample.Category}/{sample.PromptId} seed {sample.Seed} appears in two shards");
                // Both ends are checked: the source must be a file of the shard (not a link to a private file), the
                // target a file under --out (not '..', not through an images/ link that leads elsewhere).
                var source = shard.ImagePath(sample);
                var target = RunPaths.Inside(output, sample.Image, $"{shard.Where(sample)}: image, copied into --out {output}");
                // Written atomically: a link already at the target is replaced, never written through.
                AtomicFile.Write(target, stream =>
                {
                    using var input = File.OpenRead(source);
                    input.CopyTo(stream);
                });
                merged.Add(sample with { RunId = runId });
            }
        if (merged.Count != plan.Count)
            throw new EvaluationException($"the shards hold {merged.Count} of the {plan.Count} planned samples: finish (rerun) the incomplete shards first " +
                                $"({string.Join(", ", shards.Select(s => $"{s.Manifest.Shard}: {s.Samples.Count}"))})");
        merged.Sort((a, b) => order[a.Key].CompareTo(order[b.Key]));

        Directory.CreateDirectory(output);
        SamplesCsv.Write(Path.Combine(output, SamplesCsv.FileName), merged);
        SummaryCsv.Write(Path.Combine(output, SummaryCsv.FileName), CategorySummary.Of(merged));
        (first with
        {
            RunId = runId, Shard = null, Samples = merged.Count, CommandLine = commandLine,
            CreatedUtc = shards.Min(s => s.Manifest.CreatedUtc), UpdatedUtc = DateTime.UtcNow,
        }).Save(output);
        log.WriteLine($"merge: {shards.Count} shard(s), {merged.Count} samples → {output}");
        return RunFolder.Open(output);
    }

    static EvalSampling RunConfigJson(RunManifest manifest) =>
        System.Text.Json.JsonSerializer.Deserialize<EvalSampling>(manifest.Config.ToJsonString(), RunManifest.Json)
        ?? throw new EvaluationException("the shard manifest holds no configuration");
}
