using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Probe.Core.Images;
using Probe.Judging;
using Probe.Nsfw.Classifier.Images;

namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>
/// Any ONNX image classifier described by an <see cref="OnnxClassifierSidecar"/>: images are resized and normalised
/// as the sidecar says, the output row is read as per-label scores, and the unsafe labels decide.
/// </summary>
public sealed class OnnxClassifierJudge : ImageJudge
{
    readonly InferenceSession session;
    readonly OnnxClassifierSidecar sidecar;
    readonly string inputName;
    readonly string outputName;
    readonly int maxBatch;
    readonly int[] unsafeIndices;

    public OnnxClassifierJudge(OnnxClassifierSidecar sidecar, ExecutionProvider provider = ExecutionProvider.Cpu,
        bool fallbackToCpu = false, double? threshold = null, ILogger? logger = null)
        : base(threshold ?? (sidecar ?? throw new ArgumentNullException(nameof(sidecar))).Threshold)
    {
        sidecar.Validate();
        this.sidecar = sidecar;
        session = OnnxSessionFactory.Open(sidecar.ModelPath, provider, fallbackToCpu, logger);
        try
        {
            (inputName, maxBatch) = CheckInput();
            outputName = CheckOutput();
        }
        catch
        {
            session.Dispose();
            throw;
        }
        unsafeIndices = sidecar.UnsafeLabels.Select(u => Array.IndexOf(sidecar.Labels, u)).ToArray();
        Category = sidecar.ParsedCategory;
        var name = sidecar.Name ?? Path.GetFileNameWithoutExtension(sidecar.ModelPath);
        Identity = new JudgeIdentity(
            $"onnx:{name}", "onnx", sidecar.Version ?? "unknown", Category, Threshold,
            string.Create(CultureInfo.InvariantCulture,
                $"{sidecar.Resize} resize to {sidecar.Width}x{sidecar.Height}, {sidecar.Channels}, {sidecar.Layout}, " +
                $"(p*{sidecar.Scale:R} - mean[{string.Join(",", sidecar.Mean)}]) / std[{string.Join(",", sidecar.Std)}]"),
            [JudgeFile.Of(sidecar.ModelPath), JudgeFile.Of(sidecar.File)])
        {
            Settings = new Dictionary<string, string>
            {
                ["unsafe_labels"] = string.Join("+", sidecar.UnsafeLabels),
                ["output_kind"] = sidecar.OutputKind,
                ["execution_provider"] = provider.ToString().ToLowerInvariant(),
            },
        };
    }

    /// <summary>Reads <paramref name="sidecarPath"/> and opens its model.</summary>
    public static OnnxClassifierJudge Load(string sidecarPath, ExecutionProvider provider = ExecutionProvider.Cpu,
        bool fallbackToCpu = false, double? threshold = null, ILogger? logger = null) =>
        new(OnnxClassifierSidecar.Load(sidecarPath), provider, fallbackToCpu, threshold, logger);

    public override JudgeIdentity Identity { get; }

    public override HarmCategory Category { get; }

    (string Name, int MaxBatch) CheckInput()
    {
        var name = sidecar.Input ?? (session.InputMetadata.Count == 1
            ? session.InputMetadata.Keys.First()
            : throw new SidecarException(sidecar.File, "input", $"the model has {session.InputMetadata.Count} inputs ({string.Join(", ", session.InputMetadata.Keys)}); name one"));
        if (!session.InputMetadata.TryGetValue(name, out var meta))
            throw new SidecarException(sidecar.File, "input", $"the model has no input '{name}' (it has {string.Join(", ", session.InputMetadata.Keys)})");
        if (meta.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            throw new SidecarException(sidecar.File, "input", $"input '{name}' is {meta.ElementDataType}; only float32 image inputs are supported");
        var d = meta.Dimensions;
        if (d.Length != 4) throw new SidecarException(sidecar.File, "input", $"input '{name}' has rank {d.Length}; an image batch has rank 4");
        var (c, h, w) = sidecar.ParsedLayout == TensorLayout.Nchw ? (d[1], d[2], d[3]) : (d[3], d[1], d[2]);
        if (c > 0 && c != 3) throw new SidecarException(sidecar.File, "layout", $"input '{name}' [{string.Join(",", d)}] has {c} channels where {sidecar.Layout} puts them; expected 3");
        if (h > 0 && h != sidecar.Height) throw new SidecarException(sidecar.File, "height", $"the model's input '{name}' needs height {h}, the sidecar says {sidecar.Height}");
        if (w > 0 && w != sidecar.Width) throw new SidecarException(sidecar.File, "width", $"the model's input '{name}' needs width {w}, the sidecar says {sidecar.Width}");
        return (name, d[0] > 0 ? d[0] : 32);
    }

    string CheckOutput()
    {
        var name = sidecar.Output ?? session.OutputMetadata.Keys.First();
        if (!session.OutputMetadata.TryGetValue(name, out var meta))
            throw new SidecarException(sidecar.File, "output", $"the model has no output '{name}' (it has {string.Join(", ", session.OutputMetadata.Keys)})");
        var last = meta.Dimensions.Length == 0 ? -1 : meta.Dimensions[^1];
        if (last > 0 && last != sidecar.Labels.Length)
            throw new SidecarException(sidecar.File, "labels", $"the model's output '{name}' has {last} values per image, the sidecar lists {sidecar.Labels.Length} labels");
        return name;
    }

    protected override Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken)
    {
        var verdicts = new List<JudgeVerdict>(images.Count);
        for (var start = 0; start < images.Count; start += maxBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = images.Skip(start).Take(maxBatch).ToArray();
            verdicts.AddRange(Run(chunk).Select(Verdict));
        }
        return Task.FromResult<IReadOnlyList<JudgeVerdict>>(verdicts);
    }

    float[][] Run(RgbImage[] chunk)
    {
        int h = sidecar.Height, w = sidecar.Width, per = h * w * 3;
        var data = new float[chunk.Length * per];
        Parallel.For(0, chunk.Length, i => Preprocess(chunk[i]).CopyTo(data, i * per));
        long[] shape = sidecar.ParsedLayout == TensorLayout.Nchw ? [chunk.Length, 3, h, w] : [chunk.Length, h, w, 3];
        using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var runOptions = new RunOptions();
        using var outputs = OnnxSessionFactory.Run(session, sidecar.ModelPath, runOptions, inputName, input, outputName);
        var output = outputs[0];
        var values = output.GetTensorDataAsSpan<float>().ToArray();
        var labels = sidecar.Labels.Length;
        if (values.Length != chunk.Length * labels)
            throw new OnnxJudgeException($"{sidecar.ModelPath}: output '{outputName}' holds {values.Length} values for {chunk.Length} image(s); " +
                                         $"expected {labels} per image (one per label in {sidecar.File})");
        return Enumerable.Range(0, chunk.Length).Select(i => values.AsSpan(i * labels, labels).ToArray()).ToArray();
    }

    /// <summary>Resize, scale/mean/std, channel order and layout for one image.</summary>
    internal float[] Preprocess(RgbImage image)
    {
        int h = sidecar.Height, w = sidecar.Width;
        var raw = new float[image.Pixels.Length];
        for (var i = 0; i < raw.Length; i++) raw[i] = image.Pixels[i];
        var resized = image.Width == w && image.Height == h ? raw
            : sidecar.AlignCorners ? BilinearResize.AlignCorners(raw, image.Height, image.Width, 3, h, w)
            : BilinearResize.HalfPixel(raw, image.Height, image.Width, 3, h, w);
        var result = new float[h * w * 3];
        var nchw = sidecar.ParsedLayout == TensorLayout.Nchw;
        for (var p = 0; p < h * w; p++)
            for (var c = 0; c < 3; c++)
            {
                var source = sidecar.Bgr ? 2 - c : c; // channel c of the model input reads this RGB channel
                var v = (float)((resized[p * 3 + source] * sidecar.Scale - sidecar.Mean[source]) / sidecar.Std[source]);
                result[nchw ? c * h * w + p : p * 3 + c] = v;
            }
        return result;
    }

    JudgeVerdict Verdict(float[] row)
    {
        var scores = sidecar.ParsedOutputKind switch
        {
            OutputKind.Logits => Softmax(row),
            OutputKind.Sigmoid => row.Select(x => 1.0 / (1.0 + Math.Exp(-x))).ToArray(),
            _ => row.Select(x => (double)x).ToArray(),
        };
        var unsafeScore = sidecar.ParsedOutputKind == OutputKind.Sigmoid
            ? unsafeIndices.Max(i => scores[i])
            : unsafeIndices.Sum(i => scores[i]);
        unsafeScore = Math.Clamp(unsafeScore, 0, 1);
        var byLabel = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < scores.Length; i++) byLabel[sidecar.Labels[i]] = scores[i];
        return new JudgeVerdict(Identity.Name, Category, byLabel, unsafeScore, Decide(unsafeScore), Threshold);
    }

    static double[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(x => Math.Exp(x - (double)max)).ToArray();
        var sum = exp.Sum();
        return exp.Select(e => e / sum).ToArray();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) session.Dispose();
    }
}
