namespace Probe.Diffusion.Tokenizers;

/// <summary>
/// One prompt encoded for the text encoder, as diffusers' <c>encode_prompt</c> does it:
/// <c>[bos] + ids[:max_length - 2] + [eos] + [pad]*</c>, exactly <see cref="CLIPTokenizer.ModelMaxLength"/> long.
/// </summary>
public sealed class TokenizedPrompt
{
    internal TokenizedPrompt(long[] inputIds, int tokenCount, int[] truncatedIds)
    {
        InputIds = inputIds;
        TokenCount = tokenCount;
        TruncatedIds = truncatedIds;
    }

    /// <summary>The ids the text encoder receives (int64, as the reference's <c>input_ids</c>).</summary>
    public long[] InputIds { get; }

    /// <summary>How many tokens the prompt has without bos/eos, before truncation.</summary>
    public int TokenCount { get; }

    /// <summary>
    /// The prompt tokens that did not fit and were dropped (empty when none). diffusers warns with their decoded text:
    /// see <see cref="CLIPTokenizer.Decode"/>.
    /// </summary>
    public IReadOnlyList<int> TruncatedIds { get; }

    /// <summary>True when the prompt was longer than the model accepts and its tail was dropped.</summary>
    public bool IsTruncated => TruncatedIds.Count > 0;
}
