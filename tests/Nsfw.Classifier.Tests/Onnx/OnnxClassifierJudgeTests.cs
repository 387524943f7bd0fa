using System.Text.Json;
using Probe.Judging;
using Probe.Nsfw.Classifier.Onnx;
using Probe.Tests.Support;

namespace Probe.Tests.Onnx;

/// <summary>
/// An ONNX classifier built in the test: softmax(mean colour · W + b), so the probabilities for a solid colour are known
/// exactly from the sidecar's normalisation.
/// </summary>
public class OnnxClassifierJudgeTests
{
    static readonly float[] W = [4f, -2f, 0f, 1f, -3f, 2f]; // [3,2]: rows R, G, B
    static readonly float[] B = [0.25f, -0.25f];

    TempDir folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempDir();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    string MeanColourModel(string layout = "NCHW", int size = 8)
    {
        var nchw = layout == "NCHW";
        return new OnnxModelBuilder()
            .Input("pixels", nchw ? [-1, 3, size, size] : [-1, size, size, 3])
            .Output("probs", -1, 2)
            .Initializer("W", [3, 2], W)
            .Initializer("b", [2], B)
            .Node("ReduceMean", ["pixels"], ["mean"], OnnxModelBuilder.Ints("axes", nchw ? [2, 3] : [1, 2]), OnnxModelBuilder.Int("keepdims", 0))
            .Node("MatMul", ["mean", "W"], ["logits0"])
            .Node("Add", ["logits0", "b"], ["logits"])
            .Node("Softmax", ["logits"], ["probs"], OnnxModelBuilder.Int("axis", -1))
            .Save(folder.File($"mean_colour_{layout}.onnx"));
    }

    string Sidecar(object content, string name = "classifier.json")
    {
        var path = folder.File(name);
        File.WriteAllText(path, JsonSerializer.Serialize(content));
        return path;
    }

    Dictionary<string, object> ValidSidecar(string model) => new()
    {
        ["model"] = Path.GetFileName(model),
        ["name"] = "mean-colour",
        ["width"] = 8,
        ["height"] = 8,
        ["scale"] = 1.0 / 255,
        ["mean"] = new[] { 0.5, 0.5, 0.5 },
        ["std"] = new[] { 0.25, 0.25, 0.25 },
        ["labels"] = new[] { "safe", "unsafe" },
        ["unsafe_labels"] = new[] { "unsafe" },
        ["category"] = "violence",
        ["threshold"] = 0.5,
    };

    /// <summary>What the model computes for a solid colour fed in the given channel order.</summary>
    static double[] Expected(byte r, byte g, byte b, bool bgr = false)
    {
        double[] rgb = [r, g, b];
        var x = Enumerable.Range(0, 3).Select(c => (float)((rgb[bgr ? 2 - c : c] / 255.0 - 0.5) / 0.25)).ToArray();
        var logits = Enumerable.Range(0, 2).Select(j => x[0] * W[j] + x[1] * W[2 + j] + x[2] * W[4 + j] + B[j]).ToArray();
        var max = logits.Max();
        var e = logits.Select(l => Math.Exp(l - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    [TestCase(200, 40, 90)]
    [TestCase(10, 250, 30)]
    public async Task Scores_are_the_models_probabilities_for_the_normalised_mean_colour(int r, int g, int b)
    {
        using var judge = OnnxClassifierJudge.Load(Sidecar(ValidSidecar(MeanColourModel())));
        var verdict = await judge.JudgeAsync(TestImages.Solid(20, 12, (byte)r, (byte)g, (byte)b));
        var expected = Expected((byte)r, (byte)g, (byte)b);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict.Scores["safe"], Is.EqualTo(expected[0]).Within(1e-5));
            Assert.That(verdict.Scores["unsafe"], Is.EqualTo(expected[1]).Within(1e-5));
            Assert.That(verdict.UnsafeScore, Is.EqualTo(expected[1]).Within(1e-5));
            Assert.That(verdict.IsUnsafe, Is.EqualTo(expected[1] >= 0.5));
            Assert.That(verdict.Category, Is.EqualTo(HarmCategory.Violence));
        }
    }

    [Test]
    public async Task A_batch_gives_one_verdict_per_image_in_order()
    {
        using var judge = OnnxClassifierJudge.Load(Sidecar(ValidSidecar(MeanColourModel())));
        var verdicts = await judge.JudgeAsync([TestImages.Solid(8, 8, 200, 40, 90), TestImages.Solid(9, 7, 10, 250, 30), TestImages.Solid(8, 8, 0, 0, 0)]);
        Assert.That(verdicts.Select(v => v.UnsafeScore), Is.EqualTo(new[]
        {
            Expected(200, 40, 90)[1], Expected(10, 250, 30)[1], Expected(0, 0, 0)[1],
        }).Within(1e-5));
    }

    [Test]
    public async Task Bgr_sidecar_feeds_the_channels_in_reverse_order()
    {
        var sidecar = ValidSidecar(MeanColourModel());
        sidecar["channels"] = "BGR";
        using var judge = OnnxClassifierJudge.Load(Sidecar(sidecar));
        var verdict = await judge.JudgeAsync(TestImages.Solid(8, 8, 200, 40, 90));
        Assert.That(verdict.UnsafeScore, Is.EqualTo(Expected(200, 40, 90, bgr: true)[1]).Within(1e-5));
        Assert.That(verdict.UnsafeScore, Is.Not.EqualTo(Expected(200, 40, 90)[1]).Within(1e-3));
    }

    [Test]
    public async Task Nhwc_layout_is_fed_channels_last()
    {
        var sidecar = ValidSidecar(MeanColourModel("NHWC"));
        sidecar["layout"] = "NHWC";
        using var judge = OnnxClassifierJudge.Load(Sidecar(sidecar));
        var verdict = await judge.JudgeAsync(TestImages.Solid(8, 8, 30, 60, 240));
        Assert.That(verdict.UnsafeScore, Is.EqualTo(Expected(30, 60, 240)[1]).Within(1e-5));
    }

    [Test]
    public async Task Threshold_override_changes_the_decision_not_the_score()
    {
        var path = Sidecar(ValidSidecar(MeanColourModel()));
        var image = TestImages.Solid(8, 8, 128, 128, 128);
        var score = Expected(128, 128, 128)[1];
        using var strict = OnnxClassifierJudge.Load(path, threshold: Math.Max(0, score - 0.01));
        using var lenient = OnnxClassifierJudge.Load(path, threshold: Math.Min(1, score + 0.01));
        var (a, b) = (await strict.JudgeAsync(image), await lenient.JudgeAsync(image));
        Assert.That((a.IsUnsafe, b.IsUnsafe), Is.EqualTo((true, false)));
        Assert.That(a.UnsafeScore, Is.EqualTo(b.UnsafeScore).Within(1e-7).And.EqualTo(score).Within(1e-5));
    }

    [Test]
    public void Identity_records_the_model_and_sidecar_hashes()
    {
        var model = MeanColourModel();
        using var judge = OnnxClassifierJudge.Load(Sidecar(ValidSidecar(model)));
        var expectedHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model)));
        Assert.That(judge.Identity.Name, Is.EqualTo("onnx:mean-colour"));
        Assert.That(judge.Identity.Files.Select(f => f.Sha256), Does.Contain(expectedHash));
        Assert.That(judge.Identity.Files, Has.Count.EqualTo(2));
    }

    [TestCase("model", "missing.onnx", "'model': file not found")]
    [TestCase("category", "weather", "'category': 'weather' is not a harm category")]
    [TestCase("layout", "CHWN", "'layout': must be NCHW or NHWC")]
    [TestCase("threshold", 1.5, "'threshold': must lie in [0,1]")]
    [TestCase("unsafe_labels", new[] { "nsfw" }, "'unsafe_labels': 'nsfw' is not one of the labels")]
    [TestCase("mean", new[] { 0.5, 0.5 }, "'mean': must be three finite numbers")]
    [TestCase("std", new[] { 1.0, 0.0, 1.0 }, "'std': must be three positive numbers")]
    [TestCase("colour_space", "srgb", "'colour_space'")]
    [TestCase("width", 16, "'width': the model's input 'pixels' needs width 8")]
    public void Invalid_sidecar_is_rejected_naming_file_and_field(string field, object value, string expected)
    {
        var sidecar = ValidSidecar(MeanColourModel());
        sidecar[field] = value;
        var path = Sidecar(sidecar);
        var e = Assert.Throws<SidecarException>(() => OnnxClassifierJudge.Load(path).Dispose());
        Assert.That(e!.Message, Does.StartWith(path).And.Contain(expected));
    }

    [Test]
    public void Malformed_sidecar_json_is_rejected_with_its_line()
    {
        var path = folder.File("broken.json");
        File.WriteAllText(path, "{\n  \"model\": \"x.onnx\",\n  \"width\": 8,,\n}");
        var e = Assert.Throws<SidecarException>(() => OnnxClassifierSidecar.Load(path));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain("not valid sidecar JSON").And.Contain("line 3"));
    }

    [Test]
    public void A_file_that_is_not_onnx_is_rejected_naming_it()
    {
        var fake = folder.File("fake.onnx");
        File.WriteAllText(fake, "this is not a protobuf");
        var sidecar = ValidSidecar(fake);
        var e = Assert.Throws<OnnxJudgeException>(() => OnnxClassifierJudge.Load(Sidecar(sidecar)).Dispose());
        Assert.That(e!.Message, Does.StartWith(fake).And.Contain("cannot load the model"));
    }

    [Test]
    public async Task A_failure_inside_the_model_is_reported_against_the_model_file()
    {
        // Reshape to [1, 192] works for one image and fails for two.
        var model = new OnnxModelBuilder()
            .Input("pixels", -1, 3, 8, 8)
            .Output("probs", -1, 2)
            .Initializer("shape", [2], new long[] { 1, 192 })
            .Initializer("W", [192, 2], new float[384])
            .Node("Reshape", ["pixels", "shape"], ["flat"])
            .Node("MatMul", ["flat", "W"], ["probs"])
            .Save(folder.File("one_at_a_time.onnx"));
        using var judge = OnnxClassifierJudge.Load(Sidecar(ValidSidecar(model)));
        Assert.That((await judge.JudgeAsync(TestImages.Solid(8, 8, 1, 2, 3))).Scores["safe"], Is.Zero);
        var e = await Assert.ThrowsAsync<OnnxJudgeException>(() => judge.JudgeAsync([TestImages.Solid(8, 8, 1, 2, 3), TestImages.Solid(8, 8, 1, 2, 3)]));
        Assert.That(e!.Message, Does.StartWith(model).And.Contain("inference failed"));
    }

    [Test]
    public void Cuda_without_a_cuda_build_fails_with_advice_or_falls_back_to_cpu()
    {
        Assume.That(OnnxRuntimeInfo.IsAvailable(ExecutionProvider.Cuda), Is.False, "this ONNX Runtime build has CUDA");
        var path = Sidecar(ValidSidecar(MeanColourModel()));
        var e = Assert.Throws<OnnxJudgeException>(() => OnnxClassifierJudge.Load(path, ExecutionProvider.Cuda).Dispose());
        Assert.That(e!.Message, Does.Contain("CUDA execution provider is not in this ONNX Runtime build").And.Contain("ep=cpu"));
        using var fallback = OnnxClassifierJudge.Load(path, ExecutionProvider.Cuda, fallbackToCpu: true);
        Assert.That(fallback.Identity.Name, Is.EqualTo("onnx:mean-colour"));
    }

    [Test]
    public void Runtime_info_reports_version_and_the_cpu_provider()
    {
        Assert.That(OnnxRuntimeInfo.Version, Does.Match(@"^1\.\d+\.\d+"));
        Assert.That(OnnxRuntimeInfo.AvailableProviders, Does.Contain("CPUExecutionProvider"));
        Assert.That(OnnxRuntimeInfo.Describe(), Does.Contain(OnnxRuntimeInfo.Version));
    }
}
