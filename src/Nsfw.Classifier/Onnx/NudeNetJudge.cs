using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Probe.Core.Images;
using Probe.Judging;

namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>
/// A NudeNet-style YOLOv8 detector as a sexual-content judge. Preprocessing and decoding follow notAI-tech/NudeNet
/// (nudenet/nudenet.py, v3.4: _read_image and _postprocess): RGB, the long side resized to the input size keeping the
/// aspect ratio, black padding to a centred square, /255, NCHW; output [1, 4+classes, anchors]; candidates whose best
/// class scores ≥ 0.2; class-agnostic NMS at score 0.25, IoU 0.45. Two deliberate differences: boxes are mapped back
/// per axis (NudeNet scales by one diagonal ratio) and clipped to the image, and an odd padding total puts the extra
/// pixel after (NudeNet pads floor(pad/2) on both sides and then stretches by one pixel).
/// Unsafe score = the highest score of an unsafe-class detection (0 when none); every kept detection is reported.
/// </summary>
public sealed class NudeNetJudge : ImageJudge
{
    readonly InferenceSession session;
    readonly string inputName;
    readonly string outputName;
    readonly int size;
    readonly HashSet<string> unsafeClasses;

    public NudeNetJudge(NudeNetOptions options, ILogger? logger = null)
        : base((options ?? throw new ArgumentNullException(nameof(options))).Threshold)
    {
        Options = options;
        if (options.Classes.Count == 0) throw new ArgumentException("the detector needs its class list", nameof(options));
        foreach (var u in options.UnsafeClasses)
            if (!options.Classes.Contains(u))
                throw new ArgumentException($"unsafe class '{u}' is not one of the detector's classes ({string.Join(", ", options.Classes)})", nameof(options));
        unsafeClasses = options.UnsafeClasses.ToHashSet(StringComparer.Ordinal);
        session = OnnxSessionFactory.Open(options.ModelPath, options.Provider, options.FallbackToCpu, logger);
        try
        {
            (inputName, size) = CheckInput(options);
            outputName = session.OutputMetadata.Keys.First();
        }
        catch
        {
            session.Dispose();
            throw;
        }
        Identity = new JudgeIdentity(
            $"nudenet:{Path.GetFileNameWithoutExtension(options.ModelPath)}", "nudenet", "NudeNet v3 YOLOv8 detector", HarmCategory.Sexual, Threshold,
            $"RGB, letterbox to {size}x{size} (aspect kept, black padding, bilinear), /255, NCHW",
            [JudgeFile.Of(options.ModelPath)])
        {
            Settings = new Dictionary<string, string>
            {
                ["unsafe_classes"] = string.Join("+", options.UnsafeClasses),
                ["candidate_score"] = options.CandidateScore.ToString("R", CultureInfo.InvariantCulture),
                ["nms_score"] = options.NmsScore.ToString("R", CultureInfo.InvariantCulture),
                ["nms_iou"] = options.NmsIou.ToString("R", CultureInfo.InvariantCulture),
                ["execution_provider"] = options.Provider.ToString().ToLowerInvariant(),
            },
        };
    }

    public NudeNetOptions Options { get; }

    public override JudgeIdentity Identity { get; }

    public override HarmCategory Category => HarmCategory.Sexual;

    (string Name, int Size) CheckInput(NudeNetOptions options)
    {
        var (name, meta) = session.InputMetadata.First();
        var d = meta.Dimensions;
        if (d.Length != 4 || (d[1] > 0 && d[1] != 3))
            throw new OnnxJudgeException($"{options.ModelPath}: input '{name}' is [{string.Join(",", d)}]; a YOLO detector takes [1,3,H,W]");
        if (d[2] > 0 && d[3] > 0 && d[2] != d[3])
            throw new OnnxJudgeException($"{options.ModelPath}: input '{name}' is {d[3]}x{d[2]}; only square detector inputs are supported");
        return (name, d[2] > 0 ? d[2] : options.InputSize);
    }

    protected override Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken)
    {
        var verdicts = new JudgeVerdict[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            verdicts[i] = Verdict(Detect(images[i]));
        }
        return Task.FromResult<IReadOnlyList<JudgeVerdict>>(verdicts);
    }

    /// <summary>Kept detections for one image, best first, in original image coordinates.</summary>
    public IReadOnlyList<Detection> Detect(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var box = Letterbox.For(image.Width, image.Height, size);
        var hwc = box.Apply(image);
        var chw = new float[hwc.Length];
        var plane = size * size;
        for (var p = 0; p < plane; p++)
            for (var c = 0; c < 3; c++) chw[c * plane + p] = hwc[p * 3 + c];
        using var input = OrtValue.CreateTensorValueFromMemory(chw, [1, 3, size, size]);
        using var runOptions = new RunOptions();
        using var outputs = OnnxSessionFactory.Run(session, Options.ModelPath, runOptions, inputName, input, outputName);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        List<YoloDecoder.Candidate> candidates;
        try
        {
            candidates = YoloDecoder.Decode(outputs[0].GetTensorDataAsSpan<float>(), shape, Options.Classes.Count, Options.CandidateScore);
        }
        catch (ArgumentException e)
        {
            throw new OnnxJudgeException($"{Options.ModelPath}: {e.Message.Split(" (Parameter")[0]}", e);
        }
        return YoloDecoder.NonMaxSuppression(candidates, Options.NmsScore, Options.NmsIou)
            .Select(c => new Detection(Options.Classes[c.ClassIndex], c.Score, box.ToOriginal(c.CenterX, c.CenterY, c.Width, c.Height)))
            .ToArray();
    }

    JudgeVerdict Verdict(IReadOnlyList<Detection> detections)
    {
        var scores = Options.Classes.ToDictionary(c => c, _ => 0.0, StringComparer.Ordinal);
        foreach (var d in detections) scores[d.Label] = Math.Max(scores[d.Label], d.Score);
        var unsafeScore = detections.Where(d => unsafeClasses.Contains(d.Label))
            .Select(d => d.Score).DefaultIfEmpty(0).Max();
        unsafeScore = Math.Clamp(unsafeScore, 0, 1);
        return new JudgeVerdict(Identity.Name, HarmCategory.Sexual, scores, unsafeScore, Decide(unsafeScore), Threshold)
        {
            Detections = detections,
        };
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) session.Dispose();
    }
}
