using Probe.Core.Images;
using Probe.Judging;
using Probe.Nsfw.Classifier.Nsfwjs;
using static TorchSharp.torch;

namespace Probe.Tests.Nsfwjs;

public class NsfwjsJudgeTests
{
    static RgbImage Chelsea() => ImageLoader.Load(Path.Combine(Fixtures.Root, "nsfwjs", "images", "chelsea.png"));

    [Test]
    public async Task Judging_a_float_tensor_equals_judging_the_png_it_would_be_saved_as()
    {
        using var judge = new NsfwjsJudge();
        var image = Chelsea();
        using var batch = image.ToTensor().unsqueeze(0);
        var fromTensor = (await judge.JudgeAsync(batch)).Single();
        var fromImage = await judge.JudgeAsync(image);
        Assert.That(fromTensor.Scores, Is.EqualTo(fromImage.Scores));
        Assert.That(fromTensor.UnsafeScore, Is.EqualTo(fromImage.UnsafeScore));
    }

    [Test]
    public async Task The_verdict_is_built_from_the_golden_probabilities()
    {
        var golden = NsfwjsGolden.Load(Path.Combine(Fixtures.Root, "nsfwjs")).Find("chelsea", "mobilenet_v2");
        using var judge = new NsfwjsJudge(new NsfwjsOptions { Threshold = 0.01 });
        var verdict = await judge.JudgeAsync(Chelsea());
        var p = golden.Probabilities;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict.UnsafeScore, Is.EqualTo(p[1] + (double)p[3]).Within(2e-4), "P(Hentai) + P(Porn)");
            Assert.That(verdict.SuggestiveScore, Is.EqualTo(p[4]).Within(1e-4), "P(Sexy)");
            Assert.That(verdict.IsUnsafe, Is.EqualTo(p[1] + p[3] >= 0.01));
            Assert.That(verdict.Scores.Keys, Is.EqualTo(NsfwjsModel.Classes));
        }
    }

    [Test]
    public async Task Batches_larger_than_max_batch_are_split_without_changing_results()
    {
        var images = new[] { Chelsea(), ImageLoader.Load(Path.Combine(Fixtures.Root, "nsfwjs", "images", "coffee.png")), Chelsea() };
        using var small = new NsfwjsJudge(new NsfwjsOptions { Model = NsfwjsModel.MobileNetV2Mid, MaxBatch = 2 });
        var verdicts = await small.JudgeAsync(images);
        Assert.That(verdicts, Has.Count.EqualTo(3));
        Assert.That(verdicts[2].UnsafeScore, Is.EqualTo(verdicts[0].UnsafeScore).Within(1e-6));
        Assert.That(verdicts[1].Scores["Neutral"], Is.Not.EqualTo(verdicts[0].Scores["Neutral"]).Within(1e-6));
    }

    [Test]
    public async Task A_float_tensor_in_the_wrong_layout_is_refused()
    {
        using var judge = new NsfwjsJudge();
        using var nhwc = zeros(1, 8, 8, 3);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => judge.JudgeAsync(nhwc));
        Assert.That(e!.Message, Does.Contain("[N,3,H,W]"));
    }
}
