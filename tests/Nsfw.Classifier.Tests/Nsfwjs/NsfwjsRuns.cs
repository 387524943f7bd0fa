using System.Collections.Concurrent;
using Probe.Core.Images;
using Probe.Nsfw.Classifier.Nsfwjs;

namespace Probe.Tests.Nsfwjs;

/// <summary>
/// Runs each bundled model once per fixture set over all its images (batched), so the per-image parity tests only
/// compare numbers. Classifiers are loaded once per model for the whole test run.
/// </summary>
public static class NsfwjsRuns
{
    static readonly ConcurrentDictionary<string, Lazy<NsfwjsClassifier>> Classifiers = new(StringComparer.Ordinal);
    static readonly ConcurrentDictionary<string, Lazy<Dictionary<string, float[]>>> Outputs = new(StringComparer.Ordinal);

    public static NsfwjsClassifier Classifier(string model) =>
        Classifiers.GetOrAdd(model, m => new Lazy<NsfwjsClassifier>(() =>
            NsfwjsClassifier.Load(NsfwjsModel.Find(m) ?? throw new ArgumentException($"golden.json names unknown model '{m}'")))).Value;

    /// <summary>Probabilities per image name for one set and model, on the original images (own resize) or the pre-resized ones.</summary>
    public static IReadOnlyDictionary<string, float[]> Probabilities(string setDir, string model, bool preResized) =>
        Outputs.GetOrAdd($"{setDir}|{model}|{preResized}", _ => new Lazy<Dictionary<string, float[]>>(() =>
        {
            var results = NsfwjsGolden.Load(setDir).Results.Where(r => r.Model == model && (!preResized || r.PreResizedFile is not null)).ToArray();
            var images = results.Select(r => ImageLoader.Load(Path.Combine(setDir, preResized ? r.PreResizedFile! : r.File))).ToArray();
            var probabilities = Classifier(model).Classify(images);
            return results.Select((r, i) => (r.Image, P: probabilities[i])).ToDictionary(x => x.Image, x => x.P);
        })).Value;

    static readonly ConcurrentDictionary<string, string> InputHashes = new(StringComparer.Ordinal);

    /// <summary>SHA-256 of the port's float32 model input (own /255 and resize) for one image and model.</summary>
    public static string InputHash(string setDir, string file, NsfwjsModel model) =>
        InputHashes.GetOrAdd($"{setDir}|{file}|{model.Name}", _ =>
        {
            var input = NsfwjsPreprocessor.Preprocess(ImageLoader.Load(Path.Combine(setDir, file)), model.InputSize);
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan())));
        });

    public static void DisposeAll()
    {
        foreach (var c in Classifiers.Values.Where(c => c.IsValueCreated)) c.Value.Dispose();
        Classifiers.Clear();
        Outputs.Clear();
    }
}
