using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Probe.Nsfw.Classifier.Nsfwjs;
using Probe.Nsfw.Classifier.Tfjs;
using Probe.Nsfw.Classifier.Tfjs.Graph;
using static TorchSharp.torch;

namespace Probe.Tests.Nsfwjs;

/// <summary>
/// Every layer (or graph node) of each model against nsfwjs's own dump for chelsea (debug/layers_&lt;model&gt;.json: mean,
/// standard deviation and first eight values per output; debug/layers/*.f32: whole activations). A regression shows up
/// at the first layer that computes differently, not only in the final probabilities.
/// </summary>
[NonParallelizable]
public class NsfwjsLayerParityTests
{
    /// <summary>Per value: |port − nsfwjs| ≤ Absolute + Relative·|nsfwjs|. Measured differences are far smaller (printed).</summary>
    const double Absolute = 1e-4, Relative = 1e-4;

    static string Debug => Path.Combine(Fixtures.Root, "nsfwjs", "debug");

    sealed record Observed(double Mean, double Std, float[] First8, string Sha256, float[] All);

    static readonly Dictionary<string, Dictionary<string, Observed>> Runs = new(StringComparer.Ordinal);

    /// <summary>One forward pass per model for both tests: statistics of every layer, whole values of the dumped ones.</summary>
    static Dictionary<string, Observed> Run(string model)
    {
        lock (Runs)
            return Runs.TryGetValue(model, out var cached) ? cached : Runs[model] = Observe(model);
    }

    static Dictionary<string, Observed> Observe(string model)
    {
        var dumped = Directory.GetFiles(Path.Combine(Debug, "layers"), $"{model}__*.f32")
            .Select(f => Path.GetFileNameWithoutExtension(f).Split("__")[1]).ToArray();
        bool KeepAll(string name) => dumped.Any(d => name == d || name.Replace('/', '_') == d || name.Replace('/', '_').EndsWith("_" + d, StringComparison.Ordinal));
        var m = NsfwjsModel.Find(model)!;
        var input = File.ReadAllBytes(Path.Combine(Debug, "preprocessed", $"chelsea_{m.InputSize}x{m.InputSize}x3.f32"));
        var observed = new Dictionary<string, Observed>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        using var network = TfjsModelLoader.Load(NsfwjsModelLocator.FolderOf(m));
        using var noGrad = no_grad();
        var x = tensor(MemoryMarshal.Cast<byte, float>(input).ToArray(), [1, m.InputSize, m.InputSize, 3]);
        void Observe(string name, Tensor t)
        {
            var values = t.contiguous().data<float>().ToArray();
            var mean = values.Average(v => (double)v);
            var std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
            var sha = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));
            observed[name] = new Observed(mean, std, values.Take(8).ToArray(), sha, KeepAll(name) ? values : []);
        }
        _ = network switch
        {
            TfjsLayersModel layers => layers.Forward(x, Observe),
            TfjsGraphModel graph => graph.Forward(x, Observe),
            _ => throw new InvalidOperationException("unknown model type"),
        };
        return observed;
    }

    static bool Close(double port, double reference) => Math.Abs(port - reference) <= Absolute + Relative * Math.Abs(reference);

    static double Excess(double port, double reference) => Math.Abs(port - reference) / (Absolute + Relative * Math.Abs(reference));

    [TestCase("mobilenet_v2")]
    [TestCase("mobilenet_v2_mid")]
    [TestCase("inception_v3")]
    public void Every_layer_matches_nsfwjs_statistics_on_chelsea(string model)
    {
        var entries = JsonNode.Parse(File.ReadAllText(Path.Combine(Debug, $"layers_{model}.json")))!["entries"]!.AsArray()
            .Where(e => e!["class_or_op"]!.GetValue<string>() is not ("InputLayer" or "Placeholder" or "Const")).ToArray();
        var observed = Run(model);
        var missing = entries.Select(e => e!["name"]!.GetValue<string>()).Where(n => !observed.ContainsKey(n)).ToArray();
        Assert.That(missing, Is.Empty, $"{model}: layers nsfwjs computed that the port did not report");

        string? firstDiverging = null;
        var worst = 0.0;
        var bitIdentical = 0;
        foreach (var e in entries)
        {
            var name = e!["name"]!.GetValue<string>();
            var o = observed[name];
            var first8 = e["first8"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            var pairs = new List<(double Port, double Ref)> { (o.Mean, e["mean"]!.GetValue<double>()), (o.Std, e["std"]!.GetValue<double>()) };
            pairs.AddRange(o.First8.Select((v, i) => ((double)v, first8[i])));
            worst = Math.Max(worst, pairs.Max(p => Excess(p.Port, p.Ref)));
            if (o.Sha256 == e["sha256_f32le"]!.GetValue<string>()) bitIdentical++;
            if (firstDiverging is null && pairs.Any(p => !Close(p.Port, p.Ref)))
                firstDiverging = $"{name} ({e["class_or_op"]}): mean {o.Mean:R} vs {e["mean"]}, std {o.Std:R} vs {e["std"]}, " +
                                 $"first8 [{string.Join(", ", o.First8)}] vs [{string.Join(", ", first8)}]";
        }
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model} on chelsea: {entries.Length} layers, {bitIdentical} bit-identical to tfjs, largest difference {worst:0.###} of the tolerance ({Absolute} + {Relative}·|x|)"));
        Assert.That(firstDiverging, Is.Null, $"{model}: first layer outside tolerance");
    }

    [Test]
    public void Dumped_activations_match_nsfwjs_value_for_value()
    {
        var dumps = Directory.GetFiles(Path.Combine(Debug, "layers"), "*.f32").Order(StringComparer.Ordinal)
            .Select(f => Path.GetFileNameWithoutExtension(f).Split("__")).GroupBy(p => p[0]);
        var report = new List<string>();
        foreach (var perModel in dumps)
        {
            var observed = Run(perModel.Key);
            foreach (var parts in perModel)
            {
                // Graph node names are dumped with '/' as '_' and without the long scope prefix.
                var match = observed.Keys.SingleOrDefault(k => k == parts[1] || k.Replace('/', '_') == parts[1] || k.Replace('/', '_').EndsWith("_" + parts[1], StringComparison.Ordinal));
                Assert.That(match, Is.Not.Null, $"{perModel.Key}: no layer matches dump '{parts[1]}'");
                var reference = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Debug, "layers", string.Join("__", parts) + ".f32"))).ToArray();
                var port = observed[match!].All;
                Assert.That(port, Has.Length.EqualTo(reference.Length), $"{perModel.Key}/{parts[1]}: size");
                var worst = port.Zip(reference, (p, r) => Excess(p, r)).Max();
                var maxAbs = port.Zip(reference, (p, r) => Math.Abs((double)p - r)).Max();
                report.Add(string.Create(CultureInfo.InvariantCulture, $"{perModel.Key}/{parts[1]}: max |Δ| {maxAbs:E2}"));
                Assert.That(worst, Is.LessThanOrEqualTo(1), $"{perModel.Key}/{parts[1]}: max |Δ| {maxAbs:E2} exceeds {Absolute} + {Relative}·|x|");
            }
        }
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, report));
    }
}
