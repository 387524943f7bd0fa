using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Core;
using Probe.Core.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// GRPO's update loop over any policy, laid out like ddpo-pytorch's train.py and TRL's GRPOTrainer: per update,
/// sample G outputs per prompt, score them, turn rewards into group-relative advantages (or ddpo's per-prompt
/// statistics), then for inner epochs over shuffled minibatches re-score each micro-step under the policy and descend
/// the clipped surrogate (plus β·KL to the reference), AdamW on the policy's trained parameters. Every random source
/// is re-seeded from (seed, update), and checkpoints hold the weights, AdamW's moments and the loop's state, so a
/// resumed run ends bit-identical (on the CPU) to an uninterrupted one.
/// </summary>
/// <typeparam name="TConfig">The policy's config record (derived from <see cref="GrpoSettings"/>), so checkpoints keep every key.</typeparam>
/// <typeparam name="TRollout">What the policy samples per update.</typeparam>
/// <typeparam name="TScore">What the policy gives for one scored micro-step.</typeparam>
public sealed class GrpoLoop<TConfig, TRollout, TScore>
    where TConfig : GrpoSettings
    where TRollout : IGrpoRollout
    where TScore : IPolicyScore
{
    readonly IGrpoPolicy<TRollout, TScore> _policy;
    readonly IGrpoReward<TRollout> _reward;

    public GrpoLoop(IGrpoPolicy<TRollout, TScore> policy, IGrpoReward<TRollout> reward, TConfig settings)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reward);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _policy = policy;
        _reward = reward;
        Settings = settings;
    }

    public TConfig Settings { get; }

    /// <summary>Raised after a checkpoint folder is complete, with its path.</summary>
    public event Action<string>? CheckpointWritten;

    /// <summary>Raised for a checkpoint a resume skipped as damaged (path, what is wrong); the previous one is tried next.</summary>
    public event Action<string, string>? CheckpointRejected;

    /// <summary>
    /// Runs the updates not yet done. With <paramref name="checkpointDir"/> the run resumes from the newest checkpoint
    /// there and writes new ones every <see cref="GrpoSettings.CheckpointEvery"/> updates.
    /// </summary>
    public GrpoLoopResult Run(IReadOnlyList<string> prompts, string? checkpointDir = null, IProgress<GrpoUpdate>? updates = null,
                              IProgress<GrpoProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        Settings.ValidateFor(prompts.Count);
        var parameters = _policy.Parameters;
        using var optimizer = optim.AdamW(parameters.Select(p => p.Parameter), Settings.LearningRate, Settings.AdamBeta1, Settings.AdamBeta2,
                                          Settings.AdamEpsilon, Settings.AdamWeightDecay);
        var run = new RunState(prompts, new DynamicLossScaler(_policy.DType == ScalarType.Float16, Settings.Fp16InitialLossScale),
                               new PerPromptStatTracker(Settings.StatTrackerBufferSize, Settings.StatTrackerMinCount));
        var last = checkpointDir is null ? null : ResumeFromNewestGood(checkpointDir, run, optimizer, parameters);
        var resumedFrom = run.Update;
        var stoppedEarly = false;
        try
        {
            // A resumed run that had already reached its early-stopping reward does not train on.
            stoppedEarly = Settings.EarlyStopReached(run.History);
            for (var u = run.Update; u < Settings.Updates && !stoppedEarly; u++)
            {
                cancel.ThrowIfCancellationRequested();
                var record = RunUpdate(u, run, optimizer, parameters, progress, cancel);
                run.History.Add(record);
                run.Update = u + 1;
                updates?.Report(record);
                stoppedEarly = Settings.EarlyStopReached(run.History);
                var due = stoppedEarly || u + 1 == Settings.Updates || (Settings.CheckpointEvery > 0 && (u + 1) % Settings.CheckpointEvery == 0);
                if (checkpointDir is not null && due)
                {
                    progress?.Report(new GrpoProgress(u + 1, Settings.Updates, GrpoPhase.Checkpointing, 0, 1));
                    last = GrpoCheckpoint.Save(checkpointDir, run.Snapshot(Settings), _policy.SaveWeights, optimizer, parameters);
                    CheckpointWritten?.Invoke(last);
                }
            }
        }
        finally
        {
            _policy.SetTraining(false);
            foreach (var (_, p) in parameters) p.grad = null;
            ActivationCheckpoint.ReleaseGradients();
        }
        return new GrpoLoopResult(run.History.ToArray(), resumedFrom, last) { StoppedEarly = stoppedEarly };
    }

    /// <summary>
    /// Resumes from the newest checkpoint whose files verify and load; a damaged one is reported
    /// (<see cref="CheckpointRejected"/>) and the previous kept one tried. Settings that differ from a checkpoint's are
    /// an error, not damage. When checkpoints exist but none is usable, that is an error too: starting over silently
    /// would discard the run the user meant to continue.
    /// </summary>
    string? ResumeFromNewestGood(string checkpointDir, RunState run, AdamW optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        var problems = new List<string>();
        foreach (var checkpoint in GrpoCheckpoint.NewestFirst(checkpointDir))
        {
            var problem = GrpoCheckpoint.Verify(checkpoint);
            if (problem is null)
            {
                try
                {
                    Resume(checkpoint, run, optimizer, parameters);
                    return checkpoint;
                }
                catch (Exception e) when (e is InvalidDataException or (ProbeException and not GrpoConfigException))
                {
                    problem = e.Message;
                }
            }
            problems.Add($"{checkpoint}: {problem}");
            CheckpointRejected?.Invoke(checkpoint, problem);
        }
        if (problems.Count > 0)
            throw new GrpoConfigException([$"no usable checkpoint in {checkpointDir} to resume from (delete the folder to start over):", .. problems]);
        return null;
    }

    void Resume(string checkpoint, RunState run, AdamW optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        var state = GrpoCheckpoint.ReadState<TConfig>(checkpoint);
        var differences = ConfigDifferences(state.Config, Settings);
        if (differences.Count > 0)
            throw new GrpoConfigException(differences.Select(d => $"{d}: differs from the checkpoint {checkpoint} (only updates and checkpoint_every may change on resume)").ToList());
        if (!state.Prompts.SequenceEqual(run.Prompts))
            throw new GrpoConfigException([$"prompts differ from those of checkpoint {checkpoint}"]);
        if (state.Update > Settings.Updates)
            throw new GrpoConfigException([$"updates = {Settings.Updates}: the checkpoint {checkpoint} is already at update {state.Update}"]);
        _policy.LoadWeights(checkpoint);
        GrpoCheckpoint.LoadOptimizer(checkpoint, optimizer, parameters);
        run.Update = state.Update;
        run.OptimizerSteps = state.OptimizerSteps;
        run.Scaler = new DynamicLossScaler(run.Scaler.Enabled, state.LossScale, state.LossScaleGoodSteps);
        run.Tracker.Restore(state.StatTracker);
        run.History.AddRange(state.History);
    }

    static List<string> ConfigDifferences(TConfig saved, TConfig current)
    {
        var a = JsonSerializer.SerializeToNode(saved with { Updates = 0, CheckpointEvery = 0 }, GrpoJson.Options)!.AsObject();
        var b = JsonSerializer.SerializeToNode(current with { Updates = 0, CheckpointEvery = 0 }, GrpoJson.Options)!.AsObject();
        return a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key))
            .Where(k => !JsonNode.DeepEquals(a[k], b[k]))
            .Select(k => $"{k} = {b[k]?.ToJsonString() ?? "null"} (checkpoint: {a[k]?.ToJsonString() ?? "null"})").ToList();
    }

    GrpoUpdate RunUpdate(int u, RunState run, AdamW optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters,
                         IProgress<GrpoProgress>? progress, CancellationToken cancel)
    {
        // Everything an update allocates outside the rollout (index tensors, permutations, gradient handles) dies here.
        using var scope = NewDisposeScope();
        var watch = Stopwatch.StartNew();
        var prompts = PromptSchedule.For(Settings, run.Prompts, u);
        var count = prompts.Count * Settings.GroupSize;
        var seeds = Enumerable.Range(0, count).Select(i => Seeds.Derive(Settings.Seed, u, SeedStream.RolloutNoise, i)).ToArray();

        _policy.SetTraining(false);
        var sampling = progress is null ? null
            : new SynchronousProgress<(int Done, int Total)>(p => progress.Report(new GrpoProgress(u + 1, Settings.Updates, GrpoPhase.Sampling, p.Done, p.Total)));
        using var rollout = _policy.Sample(prompts, seeds, sampling, cancel);
        var rolloutSeconds = watch.Elapsed.TotalSeconds;

        progress?.Report(new GrpoProgress(u + 1, Settings.Updates, GrpoPhase.Scoring, 0, 1));
        // The reward may be asynchronous (an HTTP judge); no dispose scope of this thread is live across the wait.
        var scores = _reward.ScoreAsync(rollout, cancel).GetAwaiter().GetResult();
        if (scores.Count != count) throw new InvalidOperationException($"the reward function returned {scores.Count} scores for {count} samples");
        var rewards = RewardTransform.Rewards(scores, Settings.RewardMode);
        double? unsafeRate = scores.All(s => s.Unsafe is not null) ? scores.Average(s => s.Unsafe!.Value ? 1.0 : 0.0) : null;

        var advantages = Settings.Algorithm == GrpoAlgorithm.Grpo
            ? GroupAdvantages.Compute(rewards, rollout.Groups(), Settings.AdvantageEpsilon)
            : run.Tracker.Update(rollout.SamplePrompts(), rewards);
        if (Settings.ShuffleAdvantages)
        {
            using var g = new Generator((ulong)Seeds.Derive(Settings.Seed, u, SeedStream.AdvantageShuffle));
            using var perm = randperm(count, generator: g);
            var order = perm.data<long>().ToArray();
            advantages = order.Select(i => advantages[i]).ToArray();
        }
        advantages = GroupAdvantages.Shape(advantages, Settings.AdvantageClipMax, Settings.PositiveAdvantagesOnly);

        cancel.ThrowIfCancellationRequested();
        var metrics = Train(u, rollout, advantages, run, optimizer, parameters, progress, cancel);
        var (mean, std) = Statistics.MeanStd(rewards);
        var seconds = watch.Elapsed.TotalSeconds;
        return new GrpoUpdate
        {
            Update = u + 1, TotalUpdates = Settings.Updates, Prompts = prompts.ToArray(), Rewards = rewards, RewardMean = mean, RewardStd = std,
            UnsafeRate = unsafeRate, Loss = metrics.Loss, ApproxKl = metrics.ApproxKl, ClipFraction = metrics.ClipFraction,
            RatioMean = metrics.RatioMean, RatioMin = metrics.RatioMin, RatioMax = metrics.RatioMax, KlToReference = metrics.KlToReference,
            GradNorm = metrics.GradNorm, LearningRate = metrics.LearningRate, OptimizerSteps = metrics.Steps, SkippedSteps = metrics.Skipped,
            Seconds = seconds, RolloutSeconds = rolloutSeconds, ImagesPerSecond = count / seconds,
        };
    }

    TrainMetrics Train(int u, TRollout rollout, double[] advantages, RunState run, AdamW optimizer,
                       IReadOnlyList<(string Name, Parameter Parameter)> parameters, IProgress<GrpoProgress>? progress, CancellationToken cancel)
    {
        _policy.SetTraining(true);
        // Dropout draws from the global generator: re-seed it per update so a resumed run draws the same masks.
        manual_seed(Seeds.Derive(Settings.Seed, u, SeedStream.Dropout));
        if (_policy.Device.type == TorchSharp.DeviceType.CUDA) cuda.manual_seed_all(Seeds.Derive(Settings.Seed, u, SeedStream.Dropout));

        var n = rollout.Count();
        var b = Settings.TrainBatchSize;
        var accumulation = Settings.GradientAccumulationSteps;
        var minibatches = n / b;
        var stepsPerUpdate = Settings.InnerEpochs * minibatches / accumulation;
        var totalSteps = Settings.Updates * stepsPerUpdate;
        var metrics = new TrainMetrics();
        using var shuffle = new Generator((ulong)Seeds.Derive(Settings.Seed, u, SeedStream.TrainShuffle));
        using var adv = tensor(advantages.Select(a => (float)a).ToArray(), dtype: ScalarType.Float32, device: _policy.Device);
        var microDone = 0;
        var clipLow = Settings.ClipRange;
        var clipHigh = Settings.EffectiveClipRangeHigh;
        var aggregation = Settings.LossAggregation ?? LossAggregation.Token;

        for (var epoch = 0; epoch < Settings.InnerEpochs; epoch++)
        {
            using var perm = randperm(n, generator: shuffle);
            using var epochView = _policy.BeginEpoch(rollout, shuffle);
            var k = epochView.MicroSteps;
            var microTotal = Settings.InnerEpochs * minibatches * k;
            for (var mb = 0; mb < minibatches; mb++)
            {
                using var rows = perm.narrow(0, mb * b, b);
                for (var j = 0; j < k; j++)
                {
                    cancel.ThrowIfCancellationRequested();
                    using var stepScope = NewDisposeScope();
                    var score = epochView.Score(rows, j);
                    Tensor? kl = null;
                    if (Settings.KlBeta > 0)
                    {
                        TScore refScore;
                        using (_policy.Reference())
                        using (no_grad())
                            refScore = epochView.Score(rows, j);
                        // Outside no_grad: the penalty's gradient flows through the policy's side of the estimate.
                        kl = _policy.Kl.Estimate(score, refScore);
                    }
                    var rowAdvantages = adv.index_select(0, rows.to(adv.device));
                    var mask = score.Mask is not null && Settings.MaskNonPositiveAdvantages
                        ? PolicyLoss.PositiveAdvantageMask(score.Mask, rowAdvantages)
                        : score.Mask;
                    var terms = PolicyLoss.Compute(score.LogProb, score.OldLogProb, rowAdvantages, clipLow, clipHigh,
                                                   kl, Settings.KlBeta, mask, aggregation);
                    (terms.Loss * (run.Scaler.Scale / (k * accumulation))).backward();
                    ActivationCheckpoint.ReleaseGradients();
                    metrics.Add(terms);
                    progress?.Report(new GrpoProgress(u + 1, Settings.Updates, GrpoPhase.Training, ++microDone, microTotal));
                }
                if ((mb + 1) % accumulation == 0) OptimizerStep(run, optimizer, parameters, totalSteps, metrics);
            }
        }
        _policy.SetTraining(false);
        return metrics;
    }

    void OptimizerStep(RunState run, AdamW optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters, int totalSteps, TrainMetrics metrics)
    {
        var lr = LearningRates.At(run.OptimizerSteps, totalSteps, Settings.LearningRate, Settings.LearningRateSchedule, Settings.WarmupSteps);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = parameters.Select(p => p.Parameter).Where(p => p.grad is not null).ToArray();
        if (run.Scaler.Enabled)
            foreach (var p in grads) p.grad!.div_(run.Scaler.Scale);
        var norm = nn.utils.clip_grad_norm_(grads, Settings.MaxGradNorm);
        var finite = double.IsFinite(norm);
        if (run.Scaler.Update(finite) && finite) optimizer.step();
        else metrics.Skipped++;
        optimizer.zero_grad();
        run.OptimizerSteps++;
        metrics.Step(norm, lr);
    }

}

/// <summary>What <see cref="GrpoLoop{TConfig, TRollout, TScore}.Run"/> did: every update's record (resumed ones included), where it resumed, the last checkpoint.</summary>
public sealed record GrpoLoopResult(IReadOnlyList<GrpoUpdate> History, int ResumedFromUpdate, string? LastCheckpoint)
{
    /// <summary>The run ended before <see cref="GrpoSettings.Updates"/> because <see cref="GrpoSettings.EarlyStopReward"/> was reached.</summary>
    public bool StoppedEarly { get; init; }
}
