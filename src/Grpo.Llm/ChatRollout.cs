using static TorchSharp.torch;

namespace Probe.Grpo.Llm;

/// <summary>
/// One update's sampled completions: for each of N = prompts × G samples its prompt (left-padded token ids and mask),
/// its completion (ids, padded after it finished, and a 0/1 mask that counts every token up to and including the
/// EOS), the per-token log-probabilities under the sampling policy, the seed, and the decoded answer the judge reads.
/// Owns its tensors.
/// </summary>
public sealed class ChatRollout : IGrpoRollout
{
    internal ChatRollout(IReadOnlyList<string> prompts, int groupSize, long[] seeds, Tensor promptIds, Tensor promptMask,
                         Tensor completionIds, Tensor completionMask, Tensor oldLogProbs, IReadOnlyList<long[]> completionTokens,
                         IReadOnlyList<string> answers)
    {
        Prompts = prompts;
        GroupSize = groupSize;
        Seeds = seeds;
        PromptIds = promptIds;
        PromptMask = promptMask;
        CompletionIds = completionIds;
        CompletionMask = completionMask;
        OldLogProbs = oldLogProbs;
        CompletionTokens = completionTokens;
        Answers = answers;
    }

    /// <summary>The prompt of each group (slot), in order; sample n belongs to slot n / G.</summary>
    public IReadOnlyList<string> Prompts { get; }
    public int GroupSize { get; }
    public int Count => Prompts.Count * GroupSize;

    /// <summary>The seed each completion was sampled with.</summary>
    public long[] Seeds { get; }

    /// <summary>[N, P] int64 on the model device, left-padded; <see cref="PromptMask"/> [N, P] int64 (1 = token).</summary>
    public Tensor PromptIds { get; }
    public Tensor PromptMask { get; }

    /// <summary>[N, C] int64: the sampled tokens, the pad id after a completion ended.</summary>
    public Tensor CompletionIds { get; }

    /// <summary>[N, C] float32: 1 for every generated token up to and including the EOS that ended it, 0 after.</summary>
    public Tensor CompletionMask { get; }

    /// <summary>[N, C] float32: log π_old(token) at the sampling temperature, recorded without gradient.</summary>
    public Tensor OldLogProbs { get; }

    /// <summary>Each completion's tokens (those the mask counts, EOS included).</summary>
    public IReadOnlyList<long[]> CompletionTokens { get; }

    /// <summary>Each completion decoded (without its final EOS): what the judge reads.</summary>
    public IReadOnlyList<string> Answers { get; }

    /// <summary>Prompt text of each sample.</summary>
    public string[] SamplePrompts => this.SamplePrompts();

    public void Dispose()
    {
        PromptIds.Dispose();
        PromptMask.Dispose();
        CompletionIds.Dispose();
        CompletionMask.Dispose();
        OldLogProbs.Dispose();
    }
}
