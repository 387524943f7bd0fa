using Probe.Diffusion.Lora;
using Probe.Grpo.Diffusion;
using static TorchSharp.torch;

namespace Probe.Tests.Grpo;

/// <summary>Before the first optimiser step the training policy is the sampling policy: ratios are exactly 1.</summary>
public class OnPolicyTests
{
    [Test]
    public void Recomputed_log_probs_equal_the_rollouts_bit_for_bit()
    {
        using var pipeline = GrpoTestKit.LoadPipeline();
        // A non-zero adapter, so the LoRA path is part of what must agree.
        var adapter = UNetLora.Of(pipeline.Unet).AddAdapter("grpo", new LoraConfig(), initSeed: 3);
        using (var g = new Generator(5))
        using (no_grad())
            foreach (var (name, p) in adapter.NamedParameters().Where(p => p.Name.EndsWith("lora_B.weight", StringComparison.Ordinal)))
                p.copy_(randn(p.shape, generator: g) * 0.1);

        var config = GrpoTestKit.Small with { RolloutBatchSize = 1 };
        var seeds = new long[] { 11, 12, 13, 14, 15, 16, 17, 18 };
        using var rollout = RolloutSampler.Sample(pipeline, GrpoTestKit.Prompts, seeds, config);
        var compared = 0;
        for (var n = 0; n < rollout.Count; n++)
        {
            for (var s = 0; s < rollout.Steps; s++)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var score = TrajectoryScorer.Score(pipeline, rollout, tensor(new long[] { n }), tensor(new long[] { s }), config.Eta, config.GuidanceScale);
                Assert.That(score.LogProb.item<float>(), Is.EqualTo(rollout.LogProbs[n, s].item<float>()), $"trajectory {n}, step {s}");
                compared++;
            }
        }
        Assert.That(compared, Is.EqualTo(8 * 4));
    }

    [Test]
    public void The_first_update_sees_ratio_exactly_one_and_no_clipping()
    {
        using var pipeline = GrpoTestKit.LoadPipeline();
        // One trajectory per micro-batch, as sampled one at a time, and one optimiser step per update: every
        // micro-step of the update is evaluated before the policy changes.
        var config = GrpoTestKit.Small with { Updates = 1, RolloutBatchSize = 1, TrainBatchSize = 1, GradientAccumulationSteps = 8 };
        var result = new GrpoTrainer(pipeline, new RednessReward(), config).Run(GrpoTestKit.Prompts);
        var update = result.History.Single();
        Assert.Multiple(() =>
        {
            Assert.That(update.RatioMin, Is.EqualTo(1.0));
            Assert.That(update.RatioMax, Is.EqualTo(1.0));
            Assert.That(update.ApproxKl, Is.Zero);
            Assert.That(update.ClipFraction, Is.Zero);
            Assert.That(update.OptimizerSteps, Is.EqualTo(1));
            Assert.That(update.GradNorm, Is.GreaterThan(0), "the on-policy gradient is not zero");
        });
    }
}
