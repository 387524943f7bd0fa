using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Diffusion.Lora;
using Probe.Diffusion.Pipelines;
using Probe.Diffusion.Schedulers;
using Probe.Diffusion.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// GRPO over denoising trajectories (GRP-Obliteration for Stable Diffusion), laid out like ddpo-pytorch's train.py:
/// per update, sample G images per prompt with DDIM (η &gt; 0) recording each step's log-probability; score them;
/// turn rewards into group-relative advantages (or ddpo's per-prompt statistics); then, for inner epochs over
/// shuffled minibatches and a random subset of each trajectory's steps, re-score the recorded step under the LoRA'd
/// UNet and descend the clipped surrogate (plus β·KL to the adapter-free reference), AdamW on the LoRA weights only.
/// Checkpoints make a resumed run end bit-identical (on the CPU) to an uninterrupted one.
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
        if (pipeline.Scheduler is not DDIMScheduler)
            throw new ArgumentException($"GRPO needs the DDIM scheduler (its stochastic steps have log-probabilities); the pipeline uses {pipeline.SchedulerName}. Load it with Scheduler = \"ddim\".");
        _pipeline = pipeline;
        _reward = reward;
        Config = config;
    }

    public GrpoConfig Config { get; }

    /// <summary>Raised after a checkpoint folder is complete, with its path.</summary>
    public event Action<string>? CheckpointWritten;

    /// <summary>
    /// Trains the adapter <see cref="GrpoConfig.AdapterName"/> (created, or continued if already on the UNet) on
    /// <paramref name="prompts"/>. With <paramref name="checkpointDir"/> the run resumes from the newest checkpoint
    /// there and writes new ones every <see cref="GrpoConfig.CheckpointEvery"/> updates.
    /// </summary>
    public GrpoRunResult Run(IReadOnlyList<string> prompts, string? checkpointDir = null, IProgress<GrpoUpdate>? updates = null,
                             IProgress<GrpoProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        Config.ValidateFor(prompts.Count);
        var unet = _pipeline.Unet;
        var lora = UNetLora.Of(unet);
        LoraAdapter adapter;
        if (lora.HasAdapter(Config.AdapterName))
        {
            adapter = lora.Adapter(Config.AdapterName);
            if (!adapter.Trainable) throw new ArgumentException($"adapter '{Config.AdapterName}' is already on the UNet and frozen; choose another adapter_name");
        }
        else
        {
            adapter = lora.AddAdapter(Config.AdapterName, Config.Lora, Seeds.Derive(Config.Seed, 0, SeedStream.LoraInit), trainable: true);
        }
        if (adapter.Merged) throw new InvalidOperationException($"adapter '{adapter.Name}' is merged into the base weights: unmerge it before training");
        lora.FreezeAllButTrainable();
        var parameters = adapter.NamedParameters();
        if (_pipeline.Device.type == TorchSharp.DeviceType.CUDA && Config.GradientCheckpointing && Config.Lora.Dropout > 0)
            throw new GrpoConfigException(["gradient_checkpointing with lora.dropout > 0 on a GPU: the recomputation cannot replay CUDA's dropout masks; set one of them off"]);

        using var optimizer = optim.AdamW(parameters.Select(p => p.Parameter), Config.LearningRate, Config.AdamBeta1, Config.AdamBeta2,
                                          Config.AdamEpsilon, Config.AdamWeightDecay);
        var run = new RunState(prompts, new DynamicLossScaler(_pipeline.DType == ScalarType.Float16, Config.Fp16InitialLossScale),
                               new PerPromptStatTracker(Config.StatTrackerBufferSize, Config.StatTrackerMinCount));
        string? last = null;
        if (checkpointDir is not null && GrpoCheckpoint.Latest(checkpointDir) is { } latest)
        {
            Resume(latest, run, adapter, optimizer, parameters);
            last = latest;
        }
        var resumedFrom = run.Update;

        var checkpointing = unet.GradientCheckpointing;
        unet.GradientCheckpointing = Config.GradientCheckpointing;
        try
        {
            for (var u = run.Update; u < Config.Updates; u++)
            {
                cancel.ThrowIfCancellationRequested();
                var record = RunUpdate(u, run, adapter, optimizer, parameters, progress, cancel);
                run.History.Add(record);
                run.Update = u + 1;
                updates?.Report(record);
                var due = u + 1 == Config.Updates || (Config.CheckpointEvery > 0 && (u + 1) % Config.CheckpointEvery == 0);
                if (checkpointDir is not null && due)
                {
                    progress?.Report(new GrpoProgress(u + 1, Config.Updates, GrpoPhase.Checkpointing, 0, 1));
                    last = GrpoCheckpoint.Save(checkpointDir, run.Snapshot(Config), adapter, optimizer, parameters);
                    CheckpointWritten?.Invoke(last);
                }
            }
        }
        finally
        {
            unet.GradientCheckpointing = checkpointing;
            unet.eval();
            foreach (var (_, p) in parameters) p.grad = null;
            ActivationCheckpoint.ReleaseGradients();
        }
        return new GrpoRunResult(adapter, run.History.ToArray(), resumedFrom, last);
    }

    void Resume(string checkpoint, RunState run, LoraAdapter adapter, AdamW optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        var state = GrpoCheckpoint.ReadState(checkpoint);
        var differences = ConfigDifferences(state.Config, Config);
        if (differences.Count > 0)
            throw new GrpoConfigException(differences.Select(d => $"{d}: differs from the checkpoint {checkpoint} (only updates and checkpoint_every may change on resume)").ToList());
        if (!state.Prompts.SequenceEqual(run.Prompts))
            throw new GrpoConfigException([$"prompts differ from those of checkpoint {checkpoint}"]);
        if (state.Update > Config.Updates)
            throw new GrpoConfigException([$"updates = {Config.Updates}: the checkpoint {checkpoint} is already at update {state.Update}"]);
        UNetLora.Of(_pipeline.Unet).LoadWeightsInto(adapter.Name, Path.Combine(checkpoint, LoraFile.WeightName));
        GrpoCheckpoint.LoadOptimizer(checkpoint, optimizer, parameters);
        run.Update = state.Update;
        run.OptimizerSteps = state.OptimizerSteps;
        run.Scaler = new DynamicLossScaler(run.Scaler.Enabled, state.LossScale, state.LossScaleGoodSteps);
        run.Tracker.Restore(state.StatTracker);
        run.History.AddRange(state.History);
    }

    static List<string> ConfigDifferences(GrpoConfig saved, GrpoConfig current)
    {
        var a = JsonSerializer.SerializeToNode(saved with { Updates = 0, CheckpointEvery = 0 }, GrpoJson.Options)!.AsObject();
        var b = JsonSerializer.SerializeToNode(current with { Updates = 0, CheckpointEvery = 0 }, GrpoJson.Options)!.AsObject();
        return a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key))
            .Where(k => !JsonNode.DeepEquals(a[k], b[k]))
            .Select(k => $"{k} = {b[k]?.ToJsonString() ?? "null"} (checkpoint: {a[k]?.ToJsonString() ?? "null"})").ToList();
    }

    /// <summary>The prompts of update <paramref name="update"/>: all, or the next slice of a seeded cycle through them.</summary>
    public IReadOnlyList<string> PromptsFor(IReadOnlyList<string> prompts, int update)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (Config.PromptsPerUpdate == 0) return prompts;
        using var scope = NewDisposeScope();
        var chosen = new List<string>();
        for (var k = 0; k < Config.PromptsPerUpdate; k++)
        {
            var global = (long)update * Config.PromptsPerUpdate + k;
            var cycle = global / prompts.Count;
            using var g = new Generator((ulong)Seeds.Derive(Config.Seed, cycle, SeedStream.PromptOrder));
            using var order = randperm(prompts.Count, generator: g);
            chosen.Add(prompts[(int)order[global % prompts.Count].item<long>()]);
        }
        return chosen;
    }

    GrpoUpdate RunUpdate(int u, RunState run, LoraAdapter adapter, AdamW optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters,
                         IProgress<GrpoProgress>? progress, CancellationToken cancel)
    {
        // Everything an update allocates outside the rollout (index tensors, permutations, gradient handles) dies here.
        using var scope = NewDisposeScope();
        var watch = Stopwatch.StartNew();
        var prompts = PromptsFor(run.Prompts, u);
        var count = prompts.Count * Config.GroupSize;
        var seeds = Enumerable.Range(0, count).Select(i => Seeds.Derive(Config.Seed, u, SeedStream.RolloutNoise, i)).ToArray();

        _pipeline.Unet.eval();
        var sampling = progress is null ? null
            : new Progress<DenoisingProgress>(p => progress.Report(new GrpoProgress(u + 1, Config.Updates, GrpoPhase.Sampling, p.StepsDone, p.TotalSteps)));
        using var rollout = RolloutSampler.Sample(_pipeline, prompts, seeds, Config, sampling, cancel);
        var rolloutSeconds = watch.Elapsed.TotalSeconds;

        progress?.Report(new GrpoProgress(u + 1, Config.Updates, GrpoPhase.Scoring, 0, 1));
        var scores = _reward.ScoreAsync(rollout.Images, rollout.TrajectoryPrompts, cancel).GetAwaiter().GetResult();
        if (scores.Count != count) throw new InvalidOperationException($"the reward function returned {scores.Count} scores for {count} images");
        var rewards = RewardTransform.Rewards(scores, Config.RewardMode);
        double? unsafeRate = scores.All(s => s.Unsafe is not null) ? scores.Average(s => s.Unsafe!.Value ? 1.0 : 0.0) : null;

        var advantages = Config.Algorithm == GrpoAlgorithm.Grpo
            ? GroupAdvantages.Compute(rewards, rollout.Groups, Config.AdvantageEpsilon)
            : run.Tracker.Update(rollout.TrajectoryPrompts, rewards);
        if (Config.ShuffleAdvantages)
        {
            using var g = new Generator((ulong)Seeds.Derive(Config.Seed, u, SeedStream.AdvantageShuffle));
            using var perm = randperm(count, generator: g);
            var order = perm.data<long>().ToArray();
            advantages = order.Select(i => advantages[i]).ToArray();
        }
        advantages = GroupAdvantages.Shape(advantages, Config.AdvantageClipMax, Config.PositiveAdvantagesOnly);

        cancel.ThrowIfCancellationRequested();
        var metrics = Train(u, rollout, advantages, run, adapter, optimizer, parameters, progress, cancel);
        var (mean, std) = Statistics.MeanStd(rewards);
        var seconds = watch.Elapsed.TotalSeconds;
        return new GrpoUpdate
        {
            Update = u + 1, TotalUpdates = Config.Updates, Prompts = prompts.ToArray(), Rewards = rewards, RewardMean = mean, RewardStd = std,
            UnsafeRate = unsafeRate, Loss = metrics.Loss, ApproxKl = metrics.ApproxKl, ClipFraction = metrics.ClipFraction,
            RatioMean = metrics.RatioMean, RatioMin = metrics.RatioMin, RatioMax = metrics.RatioMax, KlToReference = metrics.KlToReference,
            GradNorm = metrics.GradNorm, LearningRate = metrics.LearningRate, OptimizerSteps = metrics.Steps, SkippedSteps = metrics.Skipped,
            Seconds = seconds, RolloutSeconds = rolloutSeconds, ImagesPerSecond = count / seconds,
        };
    }

    TrainMetrics Train(int u, Rollout rollout, double[] advantages, RunState run, LoraAdapter adapter, AdamW optimizer,
                       IReadOnlyList<(string Name, Parameter Parameter)> parameters, IProgress<GrpoProgress>? progress, CancellationToken cancel)
    {
        var unet = _pipeline.Unet;
        unet.train();
        // Dropout draws from the global generator: re-seed it per update so a resumed run draws the same masks.
        manual_seed(Seeds.Derive(Config.Seed, u, SeedStream.Dropout));
        if (_pipeline.Device.type == TorchSharp.DeviceType.CUDA) cuda.manual_seed_all(Seeds.Derive(Config.Seed, u, SeedStream.Dropout));
        var ddim = (DDIMScheduler)_pipeline.Scheduler;
        ddim.SetTimesteps(Config.Steps, _pipeline.Device);

        var n = rollout.Count;
        var steps = rollout.Steps;
        var k = Config.TrainTimestepsPerTrajectory;
        var b = Config.TrainBatchSize;
        var accumulation = Config.GradientAccumulationSteps;
        var minibatches = n / b;
        var stepsPerUpdate = Config.InnerEpochs * minibatches / accumulation;
        var totalSteps = Config.Updates * stepsPerUpdate;
        var guidance = Config.CfgInTraining ? Config.GuidanceScale : 1.0;
        var metrics = new TrainMetrics();
        using var shuffle = new Generator((ulong)Seeds.Derive(Config.Seed, u, SeedStream.TrainShuffle));
        using var adv = tensor(advantages.Select(a => (float)a).ToArray(), dtype: ScalarType.Float32, device: _pipeline.Device);
        var microTotal = Config.InnerEpochs * minibatches * k;
        var microDone = 0;

        for (var epoch = 0; epoch < Config.InnerEpochs; epoch++)
        {
            // ddpo-pytorch: shuffle trajectories, then each trajectory's steps independently; train on the first k.
            using var perm = randperm(n, generator: shuffle);
            using var stepOrder = stack(Enumerable.Range(0, n).Select(_ => randperm(steps, generator: shuffle)).ToArray());
            for (var mb = 0; mb < minibatches; mb++)
            {
                using var rows = perm.narrow(0, mb * b, b);
                using var rowSteps = stepOrder.index_select(0, rows);
                for (var j = 0; j < k; j++)
                {
                    cancel.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var stepIndex = rowSteps.select(1, j).contiguous();
                    var score = TrajectoryScorer.Score(_pipeline, rollout, rows, stepIndex, Config.Eta, guidance);
                    Tensor? kl = null;
                    if (Config.KlBeta > 0)
                    {
                        using var reference = adapter.Disabled();
                        using var noGrad = no_grad();
                        var refScore = TrajectoryScorer.Score(_pipeline, rollout, rows, stepIndex, Config.Eta, guidance);
                        var dims = Enumerable.Range(1, (int)score.Mean.dim() - 1).Select(d => (long)d).ToArray();
                        kl = (score.Mean - refScore.Mean).pow(2).mean(dims) / (2 * score.Std.pow(2).view(-1));
                    }
                    var terms = PolicyLoss.Compute(score.LogProb, score.OldLogProb, adv.index_select(0, rows.to(adv.device)), Config.ClipRange, kl, Config.KlBeta);
                    (terms.Loss * (run.Scaler.Scale / (k * accumulation))).backward();
                    ActivationCheckpoint.ReleaseGradients();
                    metrics.Add(terms);
                    progress?.Report(new GrpoProgress(u + 1, Config.Updates, GrpoPhase.Training, ++microDone, microTotal));
                }
                if ((mb + 1) % accumulation == 0) OptimizerStep(run, optimizer, parameters, totalSteps, metrics);
            }
        }
        unet.eval();
        return metrics;
    }

    void OptimizerStep(RunState run, AdamW optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters, int totalSteps, TrainMetrics metrics)
    {
        var lr = LearningRates.At(run.OptimizerSteps, totalSteps, Config.LearningRate, Config.LearningRateSchedule, Config.WarmupSteps);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = parameters.Select(p => p.Parameter).Where(p => p.grad is not null).ToArray();
        if (run.Scaler.Enabled)
            foreach (var p in grads) p.grad!.div_(run.Scaler.Scale);
        var norm = nn.utils.clip_grad_norm_(grads, Config.MaxGradNorm);
        var finite = double.IsFinite(norm);
        if (run.Scaler.Update(finite) && finite) optimizer.step();
        else metrics.Skipped++;
        optimizer.zero_grad();
        run.OptimizerSteps++;
        metrics.Step(norm, lr);
    }
}
