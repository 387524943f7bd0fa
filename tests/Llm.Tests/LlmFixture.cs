using System.Collections.Concurrent;
using System.Text.Json;
using Probe.Core.Safetensors;
using Probe.Llm.Models;
using static TorchSharp.torch;

namespace Probe.Tests;

/// <summary>
/// One LLM fixture set opened for comparison (tests/fixtures/llm/FORMAT.md): cases.json, the input and expected
/// tensors, the tolerances and the models, each model loaded once per set.
/// </summary>
public sealed class LlmFixture
{
    const double Rtol = 1e-4;
    static readonly ConcurrentDictionary<string, LlmFixture> Open = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, DecoderForCausalLM> _models = new(StringComparer.Ordinal);
    readonly Checkpoint _inputs;
    readonly Checkpoint _expected;

    LlmFixture(string dir)
    {
        Dir = dir;
        Name = LlmFixtureSets.SetName(dir, "cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cases.json")));
        Root = doc.RootElement.Clone();
        _inputs = Checkpoint.OpenFile(Path.Combine(dir, "inputs.safetensors"));
        _expected = Checkpoint.OpenFile(Path.Combine(dir, "expected.safetensors"));
    }

    public string Dir { get; }
    public string Name { get; }
    public JsonElement Root { get; }

    public static LlmFixture Of(string dir) => Open.GetOrAdd(Path.GetFullPath(dir), d => new LlmFixture(d));

    /// <summary>Every (set folder, case id) of every LLM model set, named "set/case id".</summary>
    public static IEnumerable<TestCaseData> Cases(params string[] kinds)
    {
        foreach (var set in LlmFixtureSets.ModelSets())
        {
            var fixture = Of(set);
            foreach (var c in fixture.Root.GetProperty("cases").EnumerateArray())
            {
                var kind = c.GetProperty("kind").GetString()!;
                if (kinds.Length > 0 && !kinds.Contains(kind)) continue;
                var id = c.GetProperty("id").GetString()!;
                yield return new TestCaseData(set, id).SetName($"{fixture.Name}/{id}");
            }
        }
    }

    /// <summary>Every model of every set with its folder, named "set/model".</summary>
    public static IEnumerable<(LlmFixture Fixture, string Model)> Models()
    {
        foreach (var set in LlmFixtureSets.ModelSets())
        {
            var fixture = Of(set);
            foreach (var m in fixture.Root.GetProperty("models").EnumerateObject()) yield return (fixture, m.Name);
        }
    }

    public JsonElement Case(string id) =>
        Root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    public string ModelDir(string model) => Path.Combine(Dir, Root.GetProperty("models").GetProperty(model).GetProperty("dir").GetString()!);

    public JsonElement ModelConfig(string model) => Root.GetProperty("models").GetProperty(model).GetProperty("config");

    public DecoderForCausalLM Model(string model) => _models.GetOrAdd(model, m => AutoModelForCausalLM.FromPretrained(ModelDir(m)));

    public Tensor Input(string name) => _inputs.Load(name);

    public Tensor Expected(string name) => _expected.Load(name);

    public bool HasInput(string name) => _inputs.Contains(name);

    /// <summary>
    /// Asserts <paramref name="actual"/> equals expected tensor <paramref name="name"/>: integers exactly, floats within
    /// <c>atol + rtol*|expected|</c> at the positions its compare_mask selects; a failure names the worst element.
    /// </summary>
    public void AssertMatches(string name, Tensor actual)
    {
        using var scope = NewDisposeScope();
        var expected = Expected(name);
        var tol = Root.GetProperty("tolerances").TryGetProperty(name, out var t) ? t : default;
        Assert.That(actual.shape, Is.EqualTo(expected.shape), $"{Name}/{name}: shape");
        var exact = tol.ValueKind == JsonValueKind.Object && tol.TryGetProperty("exact", out var e) && e.GetBoolean();
        if (exact || !expected.is_floating_point())
        {
            var a = actual.to(ScalarType.Int64).cpu();
            var diff = a.ne(expected).nonzero();
            if (diff.shape[0] > 0)
            {
                var at = diff[0].data<long>().ToArray();
                Assert.Fail($"{Name}/{name}: {diff.shape[0]} element(s) differ, first at [{string.Join(",", at)}]: " +
                            $"actual {a[at.Select(i => TensorIndex.Single(i)).ToArray()].item<long>()}, " +
                            $"expected {expected[at.Select(i => TensorIndex.Single(i)).ToArray()].item<long>()}");
            }
            Record(name, 0, 0);
            return;
        }
        Assert.That(tol.ValueKind, Is.EqualTo(JsonValueKind.Object), $"{Name}/{name}: no tolerance in cases.json");
        var atol = tol.GetProperty("suggested_atol").GetDouble();
        var rtol = tol.TryGetProperty("suggested_rtol", out var r) ? r.GetDouble() : Rtol;
        var act = actual.detach().to(ScalarType.Float64).cpu();
        var exp = expected.to(ScalarType.Float64);
        var compared = ones_like(exp, ScalarType.Bool);
        if (tol.TryGetProperty("compare_mask", out var cm) && cm.ValueKind == JsonValueKind.String)
        {
            var spec = cm.GetString()!;
            Assert.That(spec, Does.StartWith("inputs:"), $"{Name}/{name}: compare_mask '{spec}'");
            var maskName = spec["inputs:".Length..].Split(' ')[0];
            var mask = Input(maskName).ne(0);
            while (mask.dim() < exp.dim()) mask = mask.unsqueeze(-1);
            compared = mask.expand_as(exp);
        }
        var deviation = (act - exp).abs();
        var allowed = atol + rtol * exp.abs();
        var excess = (deviation - allowed).masked_fill(compared.logical_not(), double.NegativeInfinity);
        var nonFinite = act.isfinite().logical_not().logical_and(compared).logical_and(exp.isfinite());
        var worstDeviation = deviation.masked_fill(compared.logical_not(), 0).max().item<double>();
        var worst = excess.argmax().item<long>();
        var index = Unravel(worst, exp.shape);
        var ti = index.Select(i => TensorIndex.Single(i)).ToArray();
        Record(name, worstDeviation, atol);
        Assert.That(nonFinite.any().item<bool>(), Is.False, $"{Name}/{name}: non-finite values where expected is finite");
        Assert.That(excess.max().item<double>(), Is.LessThanOrEqualTo(0),
            $"{Name}/{name}: worst element [{string.Join(",", index)}] actual {act[ti].item<double>():R} expected {exp[ti].item<double>():R} " +
            $"(|Δ| {deviation[ti].item<double>():E3} > atol {atol:E1} + rtol {rtol:E0}·|expected|)");
    }

    static long[] Unravel(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    /// <summary>Appends the measured worst deviation to PROBE_DEVIATION_LOG (when set), for docs/LLM.md.</summary>
    void Record(string name, double worst, double atol)
    {
        var log = Environment.GetEnvironmentVariable("PROBE_DEVIATION_LOG");
        if (string.IsNullOrEmpty(log)) return;
        lock (Open) File.AppendAllText(log, $"{Name}\t{name}\t{worst:E3}\t{atol:E1}\n");
    }
}
