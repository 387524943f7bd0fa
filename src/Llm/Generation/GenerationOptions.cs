namespace Probe.Llm.Generation;

/// <summary>One generation step done, for progress bars.</summary>
/// <param name="Step">Steps done (1-based).</param>
/// <param name="MaxNewTokens">The step limit.</param>
/// <param name="FinishedRows">Rows that have stopped (EOS or the caller's predicate).</param>
/// <param name="Rows">Batch size.</param>
public sealed record GenerationProgress(int Step, int MaxNewTokens, int FinishedRows, int Rows);

/// <summary>
/// What <see cref="CausalLMGeneration.Generate"/> does: transformers' <c>generate(max_new_tokens, do_sample,
/// temperature, top_k, top_p, eos_token_id, pad_token_id)</c>, plus per-row seeds and a per-row stop predicate.
/// </summary>
public sealed record GenerationOptions
{
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>False = greedy (argmax of the raw logits); true = sample from the warped distribution.</summary>
    public bool DoSample { get; init; }

    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>A row that emits one of these is finished; later steps fill it with <see cref="PadTokenId"/>.</summary>
    public IReadOnlyList<long> EosTokenIds { get; init; } = [];

    public long PadTokenId { get; init; }

    /// <summary>
    /// One seed per row when sampling: row b draws from its own generator, one draw per step, so its tokens do not
    /// depend on the other rows of the batch.
    /// </summary>
    public IReadOnlyList<long>? Seeds { get; init; }

    /// <summary>
    /// Called after each step for every row still running, with the row index and the tokens it generated so far;
    /// true finishes the row as an EOS would (used for stop strings on decoded text).
    /// </summary>
    public Func<int, IReadOnlyList<long>, bool>? StopWhen { get; init; }

    /// <summary>Keep each step's raw logits (transformers' <c>output_logits</c>).</summary>
    public bool OutputLogits { get; init; }

    public IProgress<GenerationProgress>? Progress { get; init; }
}
