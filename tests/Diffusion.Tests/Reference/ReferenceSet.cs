using System.Text.Json;
using Probe.Core.Safetensors;
using TorchSharp;

namespace Probe.Tests;

/// <summary>
/// One reference fixture set in the format of shared/fixtures/FORMAT.md: a diffusers pipeline folder, inputs, expected
/// outputs and per-tensor tolerances from cases.json.
/// </summary>
public sealed class ReferenceSet : IDisposable
{
    readonly SafetensorsFile _inputs;
    readonly SafetensorsFile _expected;

    public ReferenceSet(string dir)
    {
        Dir = dir;
        Name = Fixtures.NameOf(dir);
        Cases = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "cases.json")));
        _inputs = SafetensorsFile.Open(Path.Combine(dir, "inputs.safetensors"));
        _expected = SafetensorsFile.Open(Path.Combine(dir, "expected.safetensors"));
    }

    /// <summary>Every set under tests/fixtures and PROBE_EXTRA_FIXTURES that holds cases.json.</summary>
    public static IEnumerable<string> All() => Fixtures.SetsOfFormat("cases.json", format: null);

    /// <summary>NUnit case source: one case per set, named after it.</summary>
    public static IEnumerable<TestCaseData> Sets() =>
        All().Select(d => new TestCaseData(d).SetArgDisplayNames(Fixtures.NameOf(d)));

    public string Dir { get; }
    public string Name { get; }
    public JsonDocument Cases { get; }
    public string PipelineDir => Path.Combine(Dir, Cases.RootElement.TryGetProperty("pipeline_dir", out var p) ? p.GetString()! : "pipeline");
    public JsonElement Meta => Cases.RootElement.GetProperty("meta");

    public bool HasInput(string name) => _inputs.Tensors.ContainsKey(name);
    public bool HasExpected(string name) => _expected.Tensors.ContainsKey(name);
    public IEnumerable<string> ExpectedNames(string prefix) => _expected.Tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    public torch.Tensor Input(string name) => _inputs.Load(name);
    public torch.Tensor Expected(string name) => _expected.Load(name);

    /// <summary>(atol, rtol) for a tensor from cases.json; exact (0, 0) for integer tensors.</summary>
    public (double Atol, double Rtol) Tolerance(string name)
    {
        if (!Cases.RootElement.GetProperty("tolerances").TryGetProperty(name, out var t))
            throw new KeyNotFoundException($"{Name}: cases.json has no tolerance for '{name}'");
        if (t.TryGetProperty("exact", out var exact) && exact.GetBoolean()) return (0, 0);
        return (t.GetProperty("suggested_atol").GetDouble(), t.GetProperty("suggested_rtol").GetDouble());
    }

    /// <summary>
    /// Asserts <paramref name="actual"/> matches expected tensor <paramref name="name"/> within its tolerance
    /// (|a - e| ≤ atol + rtol·|e|); the failure names the set, tensor, worst element, max error and tolerance.
    /// </summary>
    public void AssertClose(string name, torch.Tensor actual, double? atolOverride = null)
    {
        using var scope = torch.NewDisposeScope();
        var expected = Expected(name);
        var (atol, rtol) = Tolerance(name);
        if (atolOverride is { } a) atol = a;
        Assert.That(actual.shape, Is.EqualTo(expected.shape), $"{Name}: '{name}' shape");
        if (!expected.is_floating_point())
        {
            var same = actual.to(expected.dtype).eq(expected).all().item<bool>();
            Assert.That(same, Is.True, () => $"{Name}: '{name}' integers differ: expected {Format(expected)}, got {Format(actual)}");
            return;
        }

        var e = expected.to(torch.float64);
        var x = actual.detach().to(torch.CPU).to(torch.float64);
        var err = (x - e).abs();
        var allowed = atol + rtol * e.abs();
        var excess = err - allowed;
        var worst = excess.argmax().item<long>();
        var maxExcess = excess.flatten()[worst].item<double>();
        var maxErr = err.max().item<double>();
        TestContext.Out.WriteLine($"{Name}: {name} max|err|={maxErr:E3} (atol {atol:E1}, rtol {rtol:E1})");
        Assert.That(maxExcess <= 0, Is.True, () =>
            $"{Name}: '{name}' outside tolerance: max |error| {maxErr:E4}, at flat index {worst} got " +
            $"{x.flatten()[worst].item<double>():G9} expected {e.flatten()[worst].item<double>():G9}; atol {atol:E2}, rtol {rtol:E2}");
    }

    static string Format(torch.Tensor t) => "[" + string.Join(",", t.flatten().data<long>().Take(80)) + "]";

    public void Dispose()
    {
        _inputs.Dispose();
        _expected.Dispose();
        Cases.Dispose();
    }
}
