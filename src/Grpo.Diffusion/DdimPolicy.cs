using Probe.Core.Lora;
using Probe.Diffusion.Lora;
using Probe.Diffusion.Pipelines;
using Probe.Diffusion.Schedulers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion;

/// <summary>
/// The text-to-image pipeline as a GRPO policy (ddpo-pytorch's formulation): a rollout is G DDIM trajectories per
/// prompt with η &gt; 0, each step a Gaussian with a log-probability; a micro-step is one recorded denoising step per
/// trajectory, re-scored under the LoRA'd UNet; the reference is the UNet with the trained adapter disabled and the KL
/// the Gaussian steps' closed form. Each inner epoch draws every trajectory's step order after the trainer's
/// permutation, and trains on the first ⌊T · timestep_fraction⌋ of them.
/// </summary>
public sealed class DdimPolicy : IGrpoPolicy<Rollout, StepScore>
{
    readonly TextToImagePipeline _pipeline;
    readonly GrpoConfig _config;
    readonly DDIMScheduler _ddim;

    public DdimPolicy(TextToImagePipeline pipeline, GrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(config);
        _ddim = RequireDdim(pipeline);
        _pipeline = pipeline;
        _config = config;
        var lora = UNetLora.Of(pipeline.Unet);
        if (lora.HasAdapter(config.AdapterName))
        {
            Adapter = lora.Adapter(config.AdapterName);
            if (!Adapter.Trainable) throw new ArgumentException($"adapter '{config.AdapterName}' is already on the UNet and frozen; choose another adapter_name");
        }
        else
        {
            Adapter = lora.AddAdapter(config.AdapterName, config.Lora, Seeds.Derive(config.Seed, 0, SeedStream.LoraInit), trainable: true);
        }
        if (Adapter.Merged) throw new InvalidOperationException($"adapter '{Adapter.Name}' is merged into the base weights: unmerge it before training");
        lora.FreezeAllButTrainable();
        Parameters = Adapter.NamedParameters();
        if (pipeline.Device.type == DeviceType.CUDA && config.GradientCheckpointing && config.Lora.Dropout > 0)
            throw new GrpoConfigException(["gradient_checkpointing with lora.dropout > 0 on a GPU: the recomputation cannot replay CUDA's dropout masks; set one of them off"]);
    }

    /// <summary>The pipeline's DDIM scheduler; GRPO needs its stochastic steps' log-probabilities.</summary>
    public static DDIMScheduler RequireDdim(TextToImagePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return pipeline.Scheduler as DDIMScheduler
               ?? throw new ArgumentException($"GRPO needs the DDIM scheduler (its stochastic steps have log-probabilities); the pipeline uses {pipeline.SchedulerName}. Load it with Scheduler = \"ddim\".");
    }

    /// <summary>The trained adapter (live on the UNet).</summary>
    public LoraAdapter Adapter { get; }

    public Device Device => _pipeline.Device;
    public ScalarType DType => _pipeline.DType;
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }
    public IKlEstimator<StepScore> Kl { get; } = new GaussianStepKl();

    public Rollout Sample(IReadOnlyList<string> prompts, long[] seeds, IProgress<(int Done, int Total)>? progress, CancellationToken cancel)
    {
        var denoising = progress is null ? null : new StepProgress(progress);
        return RolloutSampler.Sample(_pipeline, prompts, seeds, _config, denoising, cancel);
    }

    public void SetTraining(bool training)
    {
        if (training) _pipeline.Unet.train();
        else _pipeline.Unet.eval();
    }

    public IPolicyEpoch<StepScore> BeginEpoch(Rollout rollout, Generator shuffle)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        _ddim.SetTimesteps(_config.Steps, _pipeline.Device);
        // ddpo-pytorch: after shuffling trajectories, shuffle each trajectory's steps independently; train on the first k.
        var stepOrder = stack(Enumerable.Range(0, rollout.Count).Select(_ => randperm(rollout.Steps, generator: shuffle)).ToArray());
        return new Epoch(this, rollout, stepOrder);
    }

    public IDisposable Reference() => Adapter.Disabled();

    public void SaveWeights(string checkpointFolder) => LoraFile.Save(Adapter, Path.Combine(checkpointFolder, LoraFile.WeightName));

    public void LoadWeights(string checkpointFolder) =>
        UNetLora.Of(_pipeline.Unet).LoadWeightsInto(Adapter.Name, Path.Combine(checkpointFolder, LoraFile.WeightName));

    sealed class Epoch(DdimPolicy policy, Rollout rollout, Tensor stepOrder) : IPolicyEpoch<StepScore>
    {
        public int MicroSteps => policy._config.TrainTimestepsPerTrajectory;

        public StepScore Score(Tensor rows, int microStep)
        {
            var guidance = policy._config.CfgInTraining ? policy._config.GuidanceScale : 1.0;
            using var rowSteps = stepOrder.index_select(0, rows);
            var stepIndex = rowSteps.select(1, microStep).contiguous();
            return TrajectoryScorer.Score(policy._pipeline, rollout, rows, stepIndex, policy._config.Eta, guidance);
        }

        public void Dispose() => stepOrder.Dispose();
    }

    sealed class StepProgress(IProgress<(int Done, int Total)> inner) : IProgress<DenoisingProgress>
    {
        public void Report(DenoisingProgress value) => inner.Report((value.StepsDone, value.TotalSteps));
    }
}
