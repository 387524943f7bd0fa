using Probe.Core.Images;
using Probe.Judging;
using Probe.Nsfw.Classifier.Tfjs;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Nsfwjs;

/// <summary>
/// One of nsfwjs's classifiers, loaded from its TF.js files and run with TorchSharp: images in, the five class
/// probabilities (Drawing, Hentai, Neutral, Porn, Sexy) out.
/// </summary>
public sealed class NsfwjsClassifier : IDisposable
{
    readonly nn.Module<Tensor, Tensor> network;

    NsfwjsClassifier(NsfwjsModel model, string folder, nn.Module<Tensor, Tensor> network, Device device, ScalarType dtype)
    {
        Model = model;
        Folder = folder;
        this.network = network;
        Device = device;
        DType = dtype;
    }

    public NsfwjsModel Model { get; }

    /// <summary>The folder the model was read from.</summary>
    public string Folder { get; }

    public Device Device { get; }

    public ScalarType DType { get; }

    /// <summary>Images per forward pass; a larger batch is classified in chunks of this size.</summary>
    public int MaxBatch { get; init; }

    /// <summary>
    /// 4 on CPU, 32 on GPUs. On CPU, activations of more than ~32 MB (MobileNetV2: 4.8 MB per image at its widest, InceptionV3:
    /// 5.5 MB) are allocated with mmap and handed back to the kernel on every free, so each forward pass page-faults and
    /// zeroes them anew; measured on 2 cores, batches of 8 or 32 were 3–6× slower per image than batches of 4.
    /// </summary>
    public static int DefaultMaxBatch(Device device) => device.type == TorchSharp.DeviceType.CPU ? 4 : 32;

    /// <summary>Loads <paramref name="model"/> from <paramref name="modelsRoot"/> (default: the bundled models).</summary>
    public static NsfwjsClassifier Load(NsfwjsModel model, string? modelsRoot = null, Device? device = null, ScalarType dtype = ScalarType.Float32, int? maxBatch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "at least one image per forward pass");
        var folder = NsfwjsModelLocator.FolderOf(model, modelsRoot);
        device ??= CPU;
        var network = TfjsModelLoader.Load(folder, device, dtype);
        var shape = TfjsModelLoader.InputShape(network);
        if (shape[0] != model.InputSize || shape[1] != model.InputSize || shape[2] != 3)
            throw new TfjsModelException(Path.Combine(folder, "model.json"), null,
                $"input shape [{string.Join(",", shape)}] differs from nsfwjs's {model.Name} input [{model.InputSize},{model.InputSize},3]");
        return new NsfwjsClassifier(model, folder, network, device, dtype) { MaxBatch = maxBatch ?? DefaultMaxBatch(device) };
    }

    /// <summary>Probabilities [N][5] for 8-bit images, preprocessed exactly as nsfwjs does.</summary>
    public float[][] Classify(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var result = new List<float[]>(images.Count);
        for (var start = 0; start < images.Count; start += MaxBatch)
        {
            var chunk = images.Skip(start).Take(MaxBatch).ToArray();
            var input = NsfwjsPreprocessor.PreprocessBatch(chunk, Model.InputSize);
            result.AddRange(ClassifyPreprocessed(input, chunk.Length));
        }
        return result.ToArray();
    }

    /// <summary>Probabilities [N][5] for inputs already preprocessed: N*S*S*3 floats, NHWC, [0,1].</summary>
    public float[][] ClassifyPreprocessed(float[] nhwc, int count)
    {
        ArgumentNullException.ThrowIfNull(nhwc);
        var s = Model.InputSize;
        if (nhwc.LongLength != (long)count * s * s * 3)
            throw new ArgumentException($"{count} preprocessed images of {s}x{s}x3 need {(long)count * s * s * 3} floats, got {nhwc.LongLength}", nameof(nhwc));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(nhwc, [count, s, s, 3]);
        var probabilities = Forward(input).to(ScalarType.Float32).cpu().data<float>().ToArray();
        var k = NsfwjsModel.Classes.Count;
        return Enumerable.Range(0, count).Select(i => probabilities.AsSpan(i * k, k).ToArray()).ToArray();
    }

    /// <summary>The network on an NHWC batch [N,S,S,3] (any device; moved to the model's): probabilities [N,5].</summary>
    public Tensor Forward(Tensor nhwc)
    {
        ArgumentNullException.ThrowIfNull(nhwc);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var output = network.call(nhwc.to(DType).to(Device));
        if (output.Dimensions != 2 || output.shape[1] != NsfwjsModel.Classes.Count)
            throw new InvalidOperationException($"{Model.Name} produced [{string.Join(",", output.shape)}], expected [N,{NsfwjsModel.Classes.Count}]");
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>The model files (model.json and shards) with their hashes, for run manifests.</summary>
    public IReadOnlyList<JudgeFile> Files() =>
        Directory.EnumerateFiles(Folder)
            .Where(f => Path.GetFileName(f) == "model.json" || Path.GetExtension(f) == ".bin")
            .Order(StringComparer.Ordinal)
            .Select(JudgeFile.Of)
            .ToArray();

    public void Dispose() => network.Dispose();
}
