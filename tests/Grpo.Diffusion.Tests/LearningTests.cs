using Probe.Diffusion.Pipelines;
using Probe.Grpo.Diffusion;

namespace Probe.Tests.Grpo;

/// <summary>
/// GRPO must actually optimise the reward: 30 updates with a redness reward make the tiny model's images redder than
/// a control run that is identical except that its advantages are shuffled (same rollouts' distribution, no link to
/// the images). Both are evaluated on the same 96 fixed seeds; the paired differences must be significantly positive.
/// </summary>
public class LearningTests
{
    static GrpoConfig Config(bool control) => new()
    {
        Seed = 7, Updates = 30, GroupSize = 4, Steps = 4, GuidanceScale = 3.0, RolloutBatchSize = 8,
        TrainBatchSize = 8, GradientAccumulationSteps = 1, LearningRate = 2e-2, ClipRange = 0.2, CheckpointEvery = 0,
        Lora = new Probe.Diffusion.Lora.LoraConfig { Rank = 4, Alpha = 4 }, ShuffleAdvantages = control,
    };

    static readonly long[] EvalSeeds = Enumerable.Range(0, 48).Select(i => 9000L + i).ToArray();

    static double[] Evaluate(TextToImagePipeline pipeline)
    {
        var request = new TextToImageRequest
        {
            Prompts = GrpoTestKit.Prompts, ImagesPerPrompt = EvalSeeds.Length, Seeds = EvalSeeds.Concat(EvalSeeds).ToArray(),
            Steps = 4, GuidanceScale = 3.0, Eta = 1.0, BatchSize = 32,
        };
        using var result = pipeline.Generate(request);
        return RednessReward.Of(result.Images!);
    }

    [Test]
    public void Thirty_updates_raise_the_reward_against_a_shuffled_advantage_control()
    {
        double[] before, trained, control;
        GrpoRunResult trainedRun, controlRun;
        using (var pipeline = GrpoTestKit.LoadPipeline())
        {
            before = Evaluate(pipeline);
            trainedRun = new GrpoTrainer(pipeline, new RednessReward(), Config(control: false)).Run(GrpoTestKit.Prompts);
            trained = Evaluate(pipeline);
        }
        using (var pipeline = GrpoTestKit.LoadPipeline())
        {
            controlRun = new GrpoTrainer(pipeline, new RednessReward(), Config(control: true)).Run(GrpoTestKit.Prompts);
            control = Evaluate(pipeline);
        }

        var differences = trained.Zip(control, (t, c) => t - c).ToArray();
        var (t, p) = PairedTTest.OneSided(differences);
        TestContext.Out.WriteLine($"eval redness: before {before.Average():F5}, trained {trained.Average():F5}, control {control.Average():F5}");
        TestContext.Out.WriteLine($"paired t = {t:F2}, one-sided p = {p:E2} over {differences.Length} images");
        TestContext.Out.WriteLine($"training reward, first 5 / last 5 updates: trained {trainedRun.History.Take(5).Average(u => u.RewardMean):F5} → " +
                                  $"{trainedRun.History.TakeLast(5).Average(u => u.RewardMean):F5}; control {controlRun.History.Take(5).Average(u => u.RewardMean):F5} → " +
                                  $"{controlRun.History.TakeLast(5).Average(u => u.RewardMean):F5}");
        Assert.Multiple(() =>
        {
            Assert.That(trained.Average(), Is.GreaterThan(control.Average()), "trained images are redder than the control's");
            Assert.That(p, Is.LessThan(0.01), "and significantly so (paired one-sided t-test)");
            Assert.That(trained.Average(), Is.GreaterThan(before.Average()), "training raised the reward");
        });
    }
}
