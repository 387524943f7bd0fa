using System.Text.Json.Nodes;

namespace Probe.Tests.Nsfwjs;

/// <summary>One fixture set's golden.json: what nsfwjs computed for each image and model.</summary>
public sealed class NsfwjsGolden
{
    public sealed record Result(
        string Image, string Model, string File, int Width, int Height, float[] Probabilities,
        string? InputSha256, double? InputMean, string? PreResizedFile, float[]? PreResizedProbabilities);

    NsfwjsGolden(string setDir, IReadOnlyList<Result> results)
    {
        SetDir = setDir;
        Results = results;
    }

    public string SetDir { get; }

    public IReadOnlyList<Result> Results { get; }

    static readonly Dictionary<string, NsfwjsGolden> Cache = new(StringComparer.Ordinal);

    public static NsfwjsGolden Load(string setDir)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(setDir, out var cached)) return cached;
            var root = JsonNode.Parse(File.ReadAllText(Path.Combine(setDir, "golden.json")))!;
            var results = new List<Result>();
            foreach (var image in root["images"]!.AsArray())
                foreach (var (model, r) in image!["results"]!.AsObject())
                    results.Add(new Result(
                        image["name"]!.GetValue<string>(), model, image["file"]!.GetValue<string>(),
                        image["width"]!.GetValue<int>(), image["height"]!.GetValue<int>(),
                        Floats(r!["probabilities"]!), r["preprocessed_input"]?["sha256_f32le"]?.GetValue<string>(),
                        r["preprocessed_input"]?["mean"]?.GetValue<double>(),
                        r["pre_resized_uint8"]?["file"]?.GetValue<string>(),
                        r["pre_resized_uint8"]?["probabilities"] is { } pre ? Floats(pre) : null));
            return Cache[setDir] = new NsfwjsGolden(setDir, results);
        }
    }

    static float[] Floats(JsonNode n) => n.AsArray().Select(x => (float)x!.GetValue<double>()).ToArray();

    /// <summary>Every (set, image, model) of every golden.json under tests/fixtures and PROBE_EXTRA_FIXTURES.</summary>
    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var set in Fixtures.SetsWith("golden.json"))
            foreach (var r in Load(set).Results)
                yield return new TestCaseData(set, r.Image, r.Model).SetArgDisplayNames(Fixtures.NameOf(set), r.Image, r.Model);
    }

    /// <summary>Every (set, model) pair.</summary>
    public static IEnumerable<TestCaseData> SetModelCases()
    {
        foreach (var set in Fixtures.SetsWith("golden.json"))
            foreach (var model in Load(set).Results.Select(r => r.Model).Distinct())
                yield return new TestCaseData(set, model).SetArgDisplayNames(Fixtures.NameOf(set), model);
    }

    public Result Find(string image, string model) => Results.Single(r => r.Image == image && r.Model == model);
}
