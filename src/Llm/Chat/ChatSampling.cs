using Probe.Llm.Generation;

namespace Probe.Llm.Chat;

/// <summary>
/// How a chat model answers in an evaluation or a GRPO rollout. The defaults are the paper's rollout settings
/// (GRP-Obliteration §3: nucleus sampling, temperature 1.0, top-p 0.95) with top-k off, as TRL's GRPOTrainer sets it.
/// </summary>
public sealed record ChatSampling
{
    public int MaxNewTokens { get; init; } = 256;
    public bool DoSample { get; init; } = true;
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 0.95;

    /// <summary>0 = off (transformers' GenerationConfig default would be 50; TRL passes top_k = 0 unless set).</summary>
    public int TopK { get; init; }

    public SamplingOptions Options => new(Temperature, TopK, TopP);

    public void Validate()
    {
        if (MaxNewTokens is < 1 or > 32768) throw new ArgumentException($"max new tokens {MaxNewTokens} must be from 1 to 32768");
        Options.Validate();
    }
}
