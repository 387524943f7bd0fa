using Probe.Core;
using Probe.Core.Lora;
using Probe.Diffusion.Lora;
using Probe.Grpo;
using Probe.Grpo.Diffusion;
using static TorchSharp.torch;

namespace Probe.Tests.Grpo;

/// <summary>An interrupted run, resumed from its checkpoint, ends with exactly the weights of an uninterrupted run.</summary>
public class ResumeTests
{
    /// <summary>ddpo advantages (tracker state crosses the checkpoint), dropout, a timestep subset and two optimiser steps per update.</summary>
    static GrpoConfig Config => GrpoTestKit.Small with
    {
        Updates = 4, Algorithm = GrpoAlgorithm.Ddpo, StatTrackerBufferSize = 8, StatTrackerMinCount = 6,
        TrainBatchSize = 4, GradientAccumulationSteps = 1, TimestepFraction = 0.5, LearningRateSchedule = LearningRateSchedule.Cosine,
        WarmupSteps = 2, Lora = new LoraConfig { Dropout = 0.1 }, CheckpointEvery = 1,
    };

    static Dictionary<string, Tensor> Weights(LoraAdapter adapter) =>
        adapter.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.detach().cpu().clone().DetachFromDisposeScope());

    [Test]
    public void A_resumed_run_ends_bit_identical_to_an_uninterrupted_one()
    {
        using var dir = new TempDir("probe-grpo-resume");
        Dictionary<string, Tensor> uninterrupted;
        IReadOnlyList<GrpoUpdate> fullHistory;
        using (var pipeline = GrpoTestKit.LoadPipeline())
        {
            var result = new GrpoTrainer(pipeline, new RednessReward(), Config).Run(GrpoTestKit.Prompts);
            uninterrupted = Weights(result.Adapter);
            fullHistory = result.History;
        }

        var checkpoints = Path.Combine(dir.Path, "run");
        using (var pipeline = GrpoTestKit.LoadPipeline())
        using (var cancel = new CancellationTokenSource())
        {
            var trainer = new GrpoTrainer(pipeline, new RednessReward(), Config);
            var stop = new SynchronousProgress<GrpoUpdate>(u =>
            {
                if (u.Update == 2) cancel.Cancel();
            });
            Assert.Throws<OperationCanceledException>(() => trainer.Run(GrpoTestKit.Prompts, checkpoints, stop, cancel: cancel.Token));
        }
        Assert.That(Path.GetFileName(GrpoCheckpoint.Latest(checkpoints)), Is.EqualTo("checkpoint-000002"));

        GrpoRunResult resumed;
        Dictionary<string, Tensor> final;
        using (var pipeline = GrpoTestKit.LoadPipeline())
        {
            resumed = new GrpoTrainer(pipeline, new RednessReward(), Config).Run(GrpoTestKit.Prompts, checkpoints);
            final = Weights(resumed.Adapter);
        }

        Assert.Multiple(() =>
        {
            Assert.That(resumed.ResumedFromUpdate, Is.EqualTo(2));
            Assert.That(resumed.History.Select(u => u.RewardMean), Is.EqualTo(fullHistory.Select(u => u.RewardMean)), "same rollouts, same rewards");
            Assert.That(final.Keys, Is.EquivalentTo(uninterrupted.Keys));
            foreach (var (name, w) in uninterrupted)
                Assert.That(final[name].equal(w).all().item<bool>(), Is.True, $"{name} differs");
            Assert.That(uninterrupted.Values.Any(w => w.abs().max().item<float>() > 0), Is.True);
        });
    }

    [Test]
    public void Resuming_with_a_different_config_is_refused_with_the_keys_that_differ()
    {
        using var dir = new TempDir("probe-grpo-resume");
        var config = GrpoTestKit.Small with { Updates = 1 };
        using (var pipeline = GrpoTestKit.LoadPipeline())
            new GrpoTrainer(pipeline, new RednessReward(), config).Run(GrpoTestKit.Prompts, dir.Path);
        using var again = GrpoTestKit.LoadPipeline();
        var changed = config with { Updates = 2, LearningRate = 1e-3, ClipRange = 0.1 };
        var e = Assert.Throws<GrpoConfigException>(() => new GrpoTrainer(again, new RednessReward(), changed).Run(GrpoTestKit.Prompts, dir.Path));
        Assert.That(e!.Message, Does.Contain("learning_rate").And.Contain("clip_range").And.Not.Contain("updates ="));
    }

    [Test]
    public void A_checkpoint_holds_a_diffusers_lora_file_optimizer_moments_and_state()
    {
        using var dir = new TempDir("probe-grpo-resume");
        using var pipeline = GrpoTestKit.LoadPipeline();
        var result = new GrpoTrainer(pipeline, new RednessReward(), GrpoTestKit.Small with { Updates = 1 }).Run(GrpoTestKit.Prompts, dir.Path);
        var checkpoint = result.LastCheckpoint!;
        var state = GrpoCheckpoint.ReadState<GrpoConfig>(checkpoint);
        using var fresh = GrpoTestKit.LoadPipeline();
        var loaded = UNetLora.Of(fresh.Unet).LoadAdapter(checkpoint, "check");
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(checkpoint, LoraFile.WeightName)), Is.True);
            Assert.That(File.Exists(Path.Combine(checkpoint, GrpoCheckpoint.OptimizerFile)), Is.True);
            Assert.That(state.Update, Is.EqualTo(1));
            Assert.That(state.OptimizerSteps, Is.EqualTo(1));
            Assert.That(state.History, Has.Count.EqualTo(1));
            Assert.That(loaded.ModulePaths, Is.EquivalentTo(result.Adapter.ModulePaths));
        });
    }

    [Test]
    public void A_damaged_newest_checkpoint_is_reported_and_the_previous_one_resumed_from()
    {
        using var dir = new TempDir("probe-grpo-resume");
        var config = GrpoTestKit.Small with { Updates = 2, CheckpointEvery = 1 };
        using (var pipeline = GrpoTestKit.LoadPipeline())
            new GrpoTrainer(pipeline, new RednessReward(), config).Run(GrpoTestKit.Prompts, dir.Path);
        var newest = GrpoCheckpoint.Latest(dir.Path)!;
        Assert.That(GrpoCheckpoint.Verify(newest), Is.Null);
        // Cut the newest checkpoint's optimiser file in half, as a full disk or an interrupted copy would.
        var optimizer = Path.Combine(newest, GrpoCheckpoint.OptimizerFile);
        var bytes = File.ReadAllBytes(optimizer);
        File.WriteAllBytes(optimizer, bytes[..(bytes.Length / 2)]);
        Assert.That(GrpoCheckpoint.Verify(newest), Does.Contain("optimizer.safetensors").And.Contain("SHA-256"));

        var rejected = new List<string>();
        using var again = GrpoTestKit.LoadPipeline();
        var trainer = new GrpoTrainer(again, new RednessReward(), config with { Updates = 3 });
        trainer.CheckpointRejected += (path, _) => rejected.Add(Path.GetFileName(path));
        var result = trainer.Run(GrpoTestKit.Prompts, dir.Path);
        Assert.That(rejected, Is.EqualTo(new[] { "checkpoint-000002" }));
        Assert.That(result.ResumedFromUpdate, Is.EqualTo(1), "resumed from the kept checkpoint before the damaged one");
        Assert.That(result.History, Has.Count.EqualTo(3));
    }

    [Test]
    public void When_no_checkpoint_is_usable_the_run_refuses_to_start_over_silently()
    {
        using var dir = new TempDir("probe-grpo-resume");
        var config = GrpoTestKit.Small with { Updates = 1 };
        using (var pipeline = GrpoTestKit.LoadPipeline())
            new GrpoTrainer(pipeline, new RednessReward(), config).Run(GrpoTestKit.Prompts, dir.Path);
        var only = GrpoCheckpoint.Latest(dir.Path)!;
        File.WriteAllText(Path.Combine(only, GrpoCheckpoint.StateFile), "{ damaged");
        using var again = GrpoTestKit.LoadPipeline();
        var e = Assert.Throws<GrpoConfigException>(() => new GrpoTrainer(again, new RednessReward(), config with { Updates = 2 }).Run(GrpoTestKit.Prompts, dir.Path));
        Assert.That(e!.Message, Does.Contain("no usable checkpoint").And.Contain("trainer_state.json"));
    }
}
