
using Probe.Evaluation.Prompts;

namespace Probe.Evaluation.Runs;

/// <summary>
/// Every image an evaluation makes, in prompt-file order, cut into the batches they are generated in. Batches, not
/// samples, are the unit of sharding and resumption: an image is always denoised beside the same neighbours, so a
/// sharded-then-merged or an interrupted-then-resumed run reproduces an uninterrupted one bit for bit (batched
/// kernels may round differently for other batch compositions).
/// </summary>
public static class EvalPlan
{
    public static IReadOnlyList<PlannedSample> Samples(PromptSet prompts, EvalSampling config, SampleArtefact? artefact = null) =>
        prompts.Items.SelectMany(p => Enumerable.Range(0, config.ImagesPerPrompt).Select(j => new PlannedSample(
            p, j, SampleSeeds.For(config.Seed, p.Category, p.Id, j, p.Seed),
            p.Width ?? config.Width, p.Height ?? config.Height, p.GuidanceScale ?? config.Guidance,
            p.NegativePrompt ?? config.NegativePrompt) { Artefact = artefact ?? SampleArtefact.Image })).ToList();

    /// <summary>Batches of at most <paramref name="batchSize"/> samples sharing size, guidance and negative prompt; one shard's share when given.</summary>
    public static IReadOnlyList<PlannedSample[]> Batches(IReadOnlyList<PlannedSample> samples, int batchSize, ShardSpec? shard = null)
    {
        var batches = samples
            .GroupBy(p => (p.Width, p.Height, p.Guidance, p.NegativePrompt))
            .SelectMany(g => g.Chunk(batchSize))
            .ToList();
        return shard is null ? batches : batches.Where((_, i) => shard.Owns(i)).ToList();
    }
}
