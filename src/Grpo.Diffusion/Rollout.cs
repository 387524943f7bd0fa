using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion;

/// <summary>
/// One update's sampled trajectories: for each of N = prompts × G images the latent at every step (x_T … x_0), the
/// step's timestep, the log-probability of each transition under the sampling policy, the prompt embeddings, the
/// seeds, and the decoded images. Owns its tensors.
/// </summary>
public sealed class Rollout : IGrpoRollout
{
    internal Rollout(IReadOnlyList<string> prompts, int groupSize, long[] seeds, Tensor latents, Tensor timesteps, Tensor logProbs,
                     Tensor promptEmbeds, Tensor negativeEmbeds, Tensor images)
    {
        Prompts = prompts;
        GroupSize = groupSize;
        Seeds = seeds;
        Latents = latents;
        Timesteps = timesteps;
        LogProbs = logProbs;
        PromptEmbeds = promptEmbeds;
        NegativeEmbeds = negativeEmbeds;
        Images = images;
    }

    /// <summary>The prompt of each group (slot), in order; trajectory n belongs to slot n / G.</summary>
    public IReadOnlyList<string> Prompts { get; }
    public int GroupSize { get; }
    public int Count => Prompts.Count * GroupSize;
    public int Steps => (int)Timesteps.shape[0];

    /// <summary>The seed of each image (its initial noise and every step's noise).</summary>
    public long[] Seeds { get; }

    /// <summary>[N, T+1, C, h, w] float32 on the model device: entry s is x before step s, entry s+1 after it.</summary>
    public Tensor Latents { get; }

    /// <summary>[T] int64: the timestep of each step (the same for every trajectory).</summary>
    public Tensor Timesteps { get; }

    /// <summary>[N, T] float32: log p(x_{s+1} | x_s) under the sampling policy (ddpo's definition, mean over C,H,W).</summary>
    public Tensor LogProbs { get; }

    /// <summary>[slots, 77, D] and [slots, 77, D]: the text states of each slot's prompt and negative prompt.</summary>
    public Tensor PromptEmbeds { get; }
    public Tensor NegativeEmbeds { get; }

    /// <summary>[N, 3, H, W] float32 in [0,1] on the CPU.</summary>
    public Tensor Images { get; }

    /// <summary>Slot (group) of each trajectory.</summary>
    public int[] Groups => this.Groups();

    /// <summary>Prompt text of each trajectory.</summary>
    public string[] TrajectoryPrompts => this.SamplePrompts();

    public void Dispose()
    {
        Latents.Dispose();
        Timesteps.Dispose();
        LogProbs.Dispose();
        PromptEmbeds.Dispose();
        NegativeEmbeds.Dispose();
        Images.Dispose();
    }
}
