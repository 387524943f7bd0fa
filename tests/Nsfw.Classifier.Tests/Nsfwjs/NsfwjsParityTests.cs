using System.Globalization;
using Probe.Core.Images;
using Probe.Nsfw.Classifier.Nsfwjs;

namespace Probe.Tests.Nsfwjs;

/// <summary>
/// The port against real nsfwjs 4.4.0 outputs, for every image of every golden.json (tests/fixtures/* and
/// PROBE_EXTRA_FIXTURES), every model it lists: the preprocessed input must be bit-identical and the probabilities
/// within 1e-4, both through the port's own resize and on nsfwjs's pre-resized images.
/// </summary>
[NonParallelizable]
public class NsfwjsParityTests
{
    public const double Tolerance = 1e-4;

    [OneTimeTearDown]
    public void ReleaseModels() => NsfwjsRuns.DisposeAll();

    [TestCaseSource(typeof(NsfwjsGolden), nameof(NsfwjsGolden.Cases))]
    public void Preprocessing_reproduces_nsfwjs_input_bit_for_bit(string set, string image, string model)
    {
        var golden = NsfwjsGolden.Load(set).Find(image, model);
        Assume.That(golden.InputSha256, Is.Not.Null, $"{image} / {model}: golden.json gives no preprocessed_input.sha256_f32le");
        var m = NsfwjsModel.Find(model)!;
        var hash = NsfwjsRuns.InputHash(set, golden.File, m);
        if (hash == golden.InputSha256) return;
        var input = NsfwjsPreprocessor.Preprocess(ImageLoader.Load(Path.Combine(set, golden.File)), m.InputSize);
        Assert.Fail($"{image} / {model}: float32 input to the model differs from nsfwjs's (SHA-256 {hash} vs {golden.InputSha256}; " +
                    $"mean {input.Average(x => (double)x):R} vs {golden.InputMean:R})");
    }

    [TestCaseSource(typeof(NsfwjsGolden), nameof(NsfwjsGolden.Cases))]
    public void Probabilities_match_nsfwjs_through_own_resize(string set, string image, string model)
    {
        var golden = NsfwjsGolden.Load(set).Find(image, model);
        // Only an identical input makes the comparison meaningful; a differing input fails the preprocessing test instead.
        Assume.That(NsfwjsRuns.InputHash(set, golden.File, NsfwjsModel.Find(model)!), Is.EqualTo(golden.InputSha256),
            $"{image} / {model}: the port's input differs from nsfwjs's");
        AssertClose(image, model, "own resize", NsfwjsRuns.Probabilities(set, model, preResized: false)[image], golden.Probabilities);
    }

    [TestCaseSource(typeof(NsfwjsGolden), nameof(NsfwjsGolden.Cases))]
    public void Probabilities_match_nsfwjs_on_pre_resized_images(string set, string image, string model)
    {
        var golden = NsfwjsGolden.Load(set).Find(image, model);
        Assume.That(golden.PreResizedProbabilities, Is.Not.Null, $"{image} / {model}: golden.json has no pre_resized_uint8 result");
        AssertClose(image, model, "pre-resized uint8", NsfwjsRuns.Probabilities(set, model, preResized: true)[image], golden.PreResizedProbabilities!);
    }

    [TestCaseSource(typeof(NsfwjsGolden), nameof(NsfwjsGolden.SetModelCases))]
    public void Largest_difference_over_all_images_is_within_tolerance(string set, string model)
    {
        var golden = NsfwjsGolden.Load(set).Results.Where(r => r.Model == model).ToArray();
        var own = NsfwjsRuns.Probabilities(set, model, preResized: false);
        var pre = NsfwjsRuns.Probabilities(set, model, preResized: true);
        var identical = golden.Where(g => NsfwjsRuns.InputHash(set, g.File, NsfwjsModel.Find(model)!) == g.InputSha256).ToArray();
        var maxOwn = identical.Select(g => MaxDifference(own[g.Image], g.Probabilities)).DefaultIfEmpty(0).Max();
        var maxPre = golden.Where(g => g.PreResizedProbabilities is not null)
            .Select(g => MaxDifference(pre[g.Image], g.PreResizedProbabilities!)).DefaultIfEmpty(0).Max();
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nsfwjs parity {Fixtures.NameOf(set)} {model}: {golden.Length} images ({identical.Length} with a bit-identical input), " +
            $"largest |Δp| own resize {maxOwn:E2}, pre-resized {maxPre:E2}"));
        Assert.That(Math.Max(maxOwn, maxPre), Is.LessThanOrEqualTo(Tolerance));
    }

    static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();

    static void AssertClose(string image, string model, string path, float[] actual, float[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(NsfwjsModel.Classes.Count));
        using (Assert.EnterMultipleScope())
        {
            for (var c = 0; c < expected.Length; c++)
                Assert.That(actual[c], Is.EqualTo(expected[c]).Within(Tolerance),
                    $"{image} / {model} ({path}): P({NsfwjsModel.Classes[c]}) = {actual[c]:R}, nsfwjs {expected[c]:R}, tolerance {Tolerance}");
        }
    }
}
