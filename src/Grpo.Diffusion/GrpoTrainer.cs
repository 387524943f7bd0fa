
using Probe.Diffusion.Pipelines;

namespace Probe.Grpo.Diffusion;

/// <summary>
/// GRPO over denoising trajectories (GRP-Obliteration for Stable Diffusion): the modality-free
/// <see cref="GrpoLoop{TConfig, TRollout, TScore}"/> driving a <see cref="DdimPolicy"/> with an image reward. Creates (or
/// continues) the trainable adapter <see cref="GrpoSettings.AdapterName"/> on the UNet, switches gradient checkpointing
/// as configured for the run, and restores the UNet afterwards.
/// </summary>
public sealed class GrpoTrainer
{
    readonly TextToImagePipeline _pipeline;
    readonly IRewardFunction _reward;

    public GrpoTrainer(TextToImagePipeline pipeline, IRewardFunction reward, GrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(reward);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        DdimPolicy.RequireDdim(pipeline);
        _pipeline = pipeline;
        _reward = reward;
        Config = config;
    }

    public GrpoConfig Config { get; }

    /// <summary>Raised after a checkpoint folder is complete, with its path.</summary>
    public event Action<string>? CheckpointWritten;

    /// <summary>Raised for a damaged checkpoint a resume skipped (path, what is wrong).</summary>
    public event Action<string, string>? CheckpointRejected;

    /// <summary>
    /// Trains the adapter <see cref="GrpoSettings.AdapterName"/> (created, or continued if already on the UNet) on
    /// <paramref name="prompts"/>. With <paramref name="checkpointDir"/> the run resumes from the newest checkpoint
    /// there and writes new ones every <see cref="GrpoSettings.CheckpointEvery"/> updates.
    /// </summary>
    public GrpoRunResult Run(IReadOnlyList<string> prompts, string? checkpointDir = null, IProgress<GrpoUpdate>? updates = null,
                             IProgress<GrpoProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        Config.ValidateFor(prompts.Count);
        var policy = new DdimPolicy(_pipeline, Config);
        var loop = new GrpoLoop<GrpoConfig, Rollout, StepScore>(policy, new ImageReward(_reward), Config);
        loop.CheckpointWritten += path => CheckpointWritten?.Invoke(path);
        loop.CheckpointRejected += (path, problem) => CheckpointRejected?.Invoke(path, problem);
        var unet = _pipeline.Unet;
        var checkpointing = unet.GradientCheckpointing;
        unet.GradientCheckpointing = Config.GradientCheckpointing;
        try
        {
            var result = loop.Run(prompts, checkpointDir, updates, progress, cancel);
            return new GrpoRunResult(policy.Adapter, result.History, result.ResumedFromUpdate, result.LastCheckpoint);
        }
        finally
        {
            unet.GradientCheckpointing = checkpointing;
        }
    }

    /// <summary>The prompts of update <paramref name="update"/>: all, or the next slice of a seeded cycle through them.</summary>
    public IReadOnlyList<string> PromptsFor(IReadOnlyList<string> prompts, int update) =>
        PromptSchedule.For(Config, prompts, update);
}
