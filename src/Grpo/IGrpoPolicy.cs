using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// What the modality-free <see cref="GrpoLoop{TConfig, TRollout, TScore}"/> needs of a policy: sample a rollout, re-score
/// minibatches of it under the current and the reference policy, and save or restore its trained weights. The
/// diffusion policy samples DDIM trajectories and scores denoising steps; a language policy samples completions and
/// scores tokens.
/// </summary>
public interface IGrpoPolicy<TRollout, TScore> where TRollout : IGrpoRollout where TScore : IPolicyScore
{
    Device Device { get; }

    /// <summary>Compute dtype; float16 turns on dynamic loss scaling.</summary>
    ScalarType DType { get; }

    /// <summary>The trained parameters in a fixed order (their names key the optimiser state in checkpoints).</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    /// <summary>How KL to the reference is estimated from a policy score and a reference score.</summary>
    IKlEstimator<TScore> Kl { get; }

    /// <summary>Samples G outputs per prompt (prompt-major), output n from <paramref name="seeds"/>[n], without gradient.</summary>
    TRollout Sample(IReadOnlyList<string> prompts, long[] seeds, IProgress<(int Done, int Total)>? progress, CancellationToken cancel);

    /// <summary>Training or inference mode (dropout on or off).</summary>
    void SetTraining(bool training);

    /// <summary>
    /// Called at the start of each inner epoch, after the trainer drew its permutation of samples from
    /// <paramref name="shuffle"/>; the policy may draw its own per-epoch order from the same generator (ddpo-pytorch's
    /// per-trajectory timestep order), which is what keeps a resumed run bit-identical.
    /// </summary>
    IPolicyEpoch<TScore> BeginEpoch(TRollout rollout, Generator shuffle);

    /// <summary>A scope in which the policy is the reference (the trained adapter disabled).</summary>
    IDisposable Reference();

    /// <summary>Writes the trained weights into a checkpoint folder.</summary>
    void SaveWeights(string checkpointFolder);

    /// <summary>Reads them back from a checkpoint folder written by <see cref="SaveWeights"/>.</summary>
    void LoadWeights(string checkpointFolder);
}

/// <summary>One inner epoch's view of a rollout: how many micro-steps a minibatch has, and scoring each.</summary>
public interface IPolicyEpoch<out TScore> : IDisposable where TScore : IPolicyScore
{
    /// <summary>Micro-steps per minibatch (gradients of all are summed before an optimiser step): ddpo's timesteps trained per trajectory, 1 for completions.</summary>
    int MicroSteps { get; }

    /// <summary>Scores micro-step <paramref name="microStep"/> of the samples <paramref name="rows"/> ([B] int64) under the policy as it is now.</summary>
    TScore Score(Tensor rows, int microStep);
}
