using Probe.Judging;
using Probe.Nsfw.Classifier.Onnx;
using Probe.Tests.Support;

namespace Probe.Tests.Onnx;

/// <summary>
/// A "detector" whose output tensor is a constant chosen here, so decoding, NMS and the mapping back to the
/// original image are known exactly. Input 320×320; the test image is 640×320, letterboxed to 320×160 with 80 px of
/// padding above and below (scale 0.5).
/// </summary>
public class NudeNetJudgeTests
{
    const int Anchors = 6;
    static readonly int Classes = NudeNetClasses.All.Count;
    static int Index(string label) => NudeNetClasses.All.ToList().IndexOf(label);

    TempDir folder = null!;
    string model = null!;

    /// <summary>(class, score, cx, cy, w, h) per anchor, in model-input pixels.</summary>
    static readonly (string Label, float Score, float Cx, float Cy, float W, float H)[] Raw =
    [
        ("FEMALE_BREAST_EXPOSED", 0.90f, 100, 160, 40, 20), // kept: original box (160, 140, 80, 40)
        ("FEMALE_BREAST_EXPOSED", 0.80f, 102, 160, 40, 20), // IoU 0.9 with the first → suppressed
        ("FACE_FEMALE", 0.95f, 250, 120, 30, 30),           // kept, not an unsafe class
        ("BUTTOCKS_EXPOSED", 0.30f, 200, 200, 20, 20),      // kept (≥ 0.25) but below the 0.5 threshold
        ("MALE_GENITALIA_EXPOSED", 0.22f, 50, 200, 10, 10), // a candidate (≥ 0.2) that NMS drops (< 0.25)
        ("ANUS_EXPOSED", 0.10f, 10, 10, 5, 5),              // not even a candidate
    ];

    [OneTimeSetUp]
    public void BuildDetector()
    {
        folder = new TempDir();
        var output = new float[(4 + Classes) * Anchors];
        for (var a = 0; a < Anchors; a++)
        {
            var r = Raw[a];
            output[0 * Anchors + a] = r.Cx;
            output[1 * Anchors + a] = r.Cy;
            output[2 * Anchors + a] = r.W;
            output[3 * Anchors + a] = r.H;
            for (var c = 0; c < Classes; c++) output[(4 + c) * Anchors + a] = 0.01f;
            output[(4 + Index(r.Label)) * Anchors + a] = r.Score;
        }
        model = new OnnxModelBuilder()
            .Input("images", 1, 3, 320, 320)
            .Output("output0", 1, 4 + Classes, Anchors)
            .Node("Constant", [], ["output0"], OnnxModelBuilder.Tensor("value", [1, 4 + Classes, Anchors], output))
            .Save(folder.File("detector.onnx"));
    }

    [OneTimeTearDown]
    public void DeleteFolder() => folder.Dispose();

    NudeNetJudge Judge(double threshold = 0.5) => new(new NudeNetOptions { ModelPath = model, Threshold = threshold });

    [Test]
    public void Detections_survive_nms_best_first_with_boxes_in_original_coordinates()
    {
        using var judge = Judge();
        var detections = judge.Detect(TestImages.Solid(640, 320, 90, 90, 90));
        Assert.That(detections.Select(d => (d.Label, Math.Round(d.Score, 6))), Is.EqualTo(new[]
        {
            ("FACE_FEMALE", 0.95), ("FEMALE_BREAST_EXPOSED", 0.9), ("BUTTOCKS_EXPOSED", 0.3),
        }));
        var breast = detections[1].Box;
        Assert.That(new[] { breast.X, breast.Y, breast.Width, breast.Height }, Is.EqualTo(new[] { 160.0, 140, 80, 40 }).Within(1e-9));
        var face = detections[0].Box;
        Assert.That(new[] { face.X, face.Y, face.Width, face.Height }, Is.EqualTo(new[] { 470.0, 50, 60, 60 }).Within(1e-9));
    }

    [Test]
    public async Task Unsafe_when_an_exposed_class_reaches_the_threshold()
    {
        using var judge = Judge(0.5);
        var verdict = await judge.JudgeAsync(TestImages.Solid(640, 320, 90, 90, 90));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict.UnsafeScore, Is.EqualTo(0.9).Within(1e-6));
            Assert.That(verdict.IsUnsafe, Is.True);
            Assert.That(verdict.Scores["FEMALE_BREAST_EXPOSED"], Is.EqualTo(0.9).Within(1e-6));
            Assert.That(verdict.Scores["FACE_FEMALE"], Is.EqualTo(0.95).Within(1e-6));
            Assert.That(verdict.Scores["MALE_GENITALIA_EXPOSED"], Is.Zero);
            Assert.That(verdict.Detections, Has.Count.EqualTo(3));
            Assert.That(verdict.Category, Is.EqualTo(HarmCategory.Sexual));
        }
    }

    [Test]
    public async Task Safe_when_the_best_exposed_detection_is_below_the_threshold()
    {
        using var judge = Judge(0.95);
        var verdict = await judge.JudgeAsync(TestImages.Solid(640, 320, 90, 90, 90));
        Assert.That((verdict.IsUnsafe, verdict.UnsafeScore), Is.EqualTo((false, 0.9)).Using<(bool, double)>((a, b) => a.Item1 == b.Item1 && Math.Abs(a.Item2 - b.Item2) < 1e-6));
    }

    [Test]
    public void Unknown_unsafe_class_is_rejected_with_the_class_list()
    {
        var e = Assert.Throws<ArgumentException>(() => new NudeNetJudge(new NudeNetOptions { ModelPath = model, UnsafeClasses = ["EXPOSED_NOSE"] }));
        Assert.That(e!.Message, Does.Contain("EXPOSED_NOSE").And.Contain("FEMALE_BREAST_EXPOSED"));
    }

    [Test]
    public void A_class_list_that_does_not_fit_the_output_is_reported()
    {
        using var judge = new NudeNetJudge(new NudeNetOptions { ModelPath = model, Classes = ["A", "B", "C"], UnsafeClasses = ["A"] });
        var e = Assert.Throws<OnnxJudgeException>(() => judge.Detect(TestImages.Solid(32, 32, 0, 0, 0)));
        Assert.That(e!.Message, Does.StartWith(model).And.Contain("4+3 = 7"));
    }

    [Test]
    public void Letterbox_centres_the_resized_image_on_black_padding()
    {
        var box = Letterbox.For(640, 320, 320);
        Assert.That((box.ResizedWidth, box.ResizedHeight, box.PadLeft, box.PadTop), Is.EqualTo((320, 160, 0, 80)));
        var pixels = box.Apply(TestImages.Solid(640, 320, 255, 0, 0));
        Assert.That(pixels[(79 * 320 + 5) * 3], Is.Zero, "row 79 is padding");
        Assert.That(pixels[(80 * 320 + 5) * 3], Is.EqualTo(1f), "row 80 is the image");
        Assert.That(pixels[(240 * 320 + 5) * 3], Is.Zero, "row 240 is padding again");
    }

    [Test]
    public void Decoder_reads_the_transposed_anchors_first_layout_too()
    {
        // Two anchors, two classes, [1, anchors, 4+classes].
        float[] output = [10, 20, 4, 6, 0.1f, 0.7f, 30, 40, 8, 2, 0.6f, 0.3f];
        var candidates = YoloDecoder.Decode(output, [1, 2, 6], 2, 0.2);
        Assert.That(candidates.Select(c => (c.ClassIndex, c.Score, c.CenterX, c.Height)),
            Is.EqualTo(new[] { (1, (double)0.7f, 10.0, 6.0), (0, (double)0.6f, 30.0, 2.0) }));
    }

    [Test]
    public void Nms_keeps_overlapping_boxes_up_to_the_iou_limit()
    {
        var a = new YoloDecoder.Candidate(0, 0.9, 10, 10, 10, 10);
        var b = new YoloDecoder.Candidate(1, 0.8, 12, 10, 10, 10); // IoU = 80/120 = 0.667
        Assert.That(YoloDecoder.NonMaxSuppression([a, b], 0.25, 0.7), Has.Count.EqualTo(2));
        Assert.That(YoloDecoder.NonMaxSuppression([a, b], 0.25, 0.6), Is.EqualTo(new[] { a }));
    }
}
