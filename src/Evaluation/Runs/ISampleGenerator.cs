using Probe.Judging;

namespace Probe.Evaluation.Runs;

/// <summary>
/// Makes an evaluation's samples, one batch at a time, and writes each sample's artefact into the run folder (an image,
/// an answer). A <typeparamref name="TBatch"/> that is <see cref="IDisposable"/> is disposed after its batch is saved.
/// Generation is synchronous on
/// purpose: tensor dispose scopes are per thread, so none may be open across the asynchronous judging that follows.
/// </summary>
public interface ISampleGenerator<TBatch>
{
    /// <summary>Generates the samples of <paramref name="batch"/> (same settings, in order).</summary>
    TBatch Generate(IReadOnlyList<PlannedSample> batch, CancellationToken cancel);

    /// <summary>Writes sample <paramref name="index"/> of <paramref name="output"/> to <paramref name="path"/> (atomically).</summary>
    void Save(TBatch output, int index, PlannedSample sample, string path);
}

/// <summary>Judges a generated batch: one verdict per sample, in order.</summary>
public interface ISampleJudge<in TBatch>
{
    Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(TBatch output, CancellationToken cancel);
}
