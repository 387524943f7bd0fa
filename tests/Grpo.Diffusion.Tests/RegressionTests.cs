using System.Security.Cryptography;
using Probe.Grpo.Diffusion;
using static TorchSharp.torch;

namespace Probe.Tests.Grpo;

/// <summary>
/// The modality-free loop over <see cref="DdimPolicy"/> reproduces the trainer it was carved out of bit for bit: the
/// expected values are what the DDIM-welded <c>GrpoTrainer</c> of commit defa95b computed for this exact run (two
/// updates, two inner epochs, half the steps of each trajectory, so the order of every random draw is exercised), as
/// the raw bits of each double and the SHA-256 of the trained LoRA weights.
/// </summary>
public class RegressionTests
{
    static readonly long[][] Expected =
    [
        [4584857527458201600, 4567423981436569407, -4664365166702362624, 4520489504673628160, 0, 4607182132362608640, 4607142717732945920, 4607218097630216192, 4573705721413107712],
        [4584769642796154880, 4568019509053577655, -4670017927779450880, 4512444467254394880, 0, 4607181219665281024, 4607145464901402624, 4607189462546382848, 4574098467986604032],
    ];

    const string ExpectedLoraSha256 = "e270f17d7d16ae86598de1adfa26ccbd493c2a7bf6500d355984bcba730cbc0a";

    [Test]
    public void A_run_reproduces_the_pre_split_trainer_bit_for_bit()
    {
        using var pipeline = GrpoTestKit.LoadPipeline();
        var config = GrpoTestKit.Small with { Updates = 2, CheckpointEvery = 0, InnerEpochs = 2, TimestepFraction = 0.5 };
        var result = new GrpoTrainer(pipeline, new RednessReward(), config).Run(GrpoTestKit.Prompts);
        var actual = result.History.Select(u => new[] { u.RewardMean, u.RewardStd, u.Loss, u.ApproxKl, u.ClipFraction, u.RatioMean, u.RatioMin, u.RatioMax, u.GradNorm }
            .Select(BitConverter.DoubleToInt64Bits).ToArray()).ToArray();
        using var scope = NewDisposeScope();
        var weights = result.Adapter.NamedParameters().SelectMany(p => p.Parameter.detach().cpu().contiguous().bytes.ToArray()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(actual, Is.EqualTo(Expected), "reward mean/std, loss, approx KL, clip fraction, ratio mean/min/max, grad norm per update");
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(weights)), Is.EqualTo(ExpectedLoraSha256));
        });
    }
}
