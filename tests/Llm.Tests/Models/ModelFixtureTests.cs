using System.Text.Json;
using Probe.Llm.Generation;
using static TorchSharp.torch;

namespace Probe.Tests.Models;

/// <summary>Every forward and rope case of every LLM fixture set against transformers 4.51's tensors.</summary>
public class ModelFixtureTests
{
    public static IEnumerable<TestCaseData> ForwardCases() => LlmFixture.Cases("forward");

    public static IEnumerable<TestCaseData> RopeCases() => LlmFixture.Cases("rope");

    [TestCaseSource(nameof(ForwardCases))]
    public void Forward_matches_transformers(string set, string id)
    {
        using var scope = NewDisposeScope();
        var f = LlmFixture.Of(set);
        var c = f.Case(id);
        var model = f.Model(c.GetProperty("model").GetString()!);
        var inputs = c.GetProperty("inputs");
        var ids = f.Input(inputs.GetProperty("input_ids").GetString()!);
        var mask = inputs.TryGetProperty("attention_mask", out var m) ? f.Input(m.GetString()!) : null;
        var expected = c.GetProperty("expected");
        var wantsHidden = expected.TryGetProperty("hidden_states", out _) || expected.TryGetProperty("last_layer_output", out _);
        var output = model.Forward(ids, mask, outputHiddenStates: wantsHidden);
        var checkedAny = false;
        foreach (var e in expected.EnumerateObject())
        {
            switch (e.Name)
            {
                case "logits":
                    f.AssertMatches(e.Value.GetString()!, output.Logits);
                    break;
                case "hidden_states":
                    var names = e.Value.EnumerateArray().Select(x => x.GetString()!).ToArray();
                    Assert.That(output.HiddenStates!, Has.Count.EqualTo(names.Length), "hidden state count");
                    for (var k = 0; k < names.Length; k++) f.AssertMatches(names[k], output.HiddenStates![k]);
                    break;
                case "last_layer_output":
                    f.AssertMatches(e.Value.GetString()!, output.LastLayerOutput!);
                    break;
                case "position_ids_from_mask":
                    f.AssertMatches(e.Value.GetString()!, PositionIds.FromAttentionMask(mask ?? ones_like(ids)));
                    break;
                case "logits_position_ids_from_mask":
                    var positions = PositionIds.FromAttentionMask(mask ?? ones_like(ids));
                    f.AssertMatches(e.Value.GetString()!, model.Forward(ids, mask, positions).Logits);
                    break;
                default:
                    Assert.Fail($"{f.Name}/{id}: expected tensor kind '{e.Name}' is not known to this test");
                    break;
            }
            checkedAny = true;
        }
        Assert.That(checkedAny, Is.True);
    }

    [TestCaseSource(nameof(RopeCases))]
    public void Rope_matches_transformers(string set, string id)
    {
        using var scope = NewDisposeScope();
        var f = LlmFixture.Of(set);
        var c = f.Case(id);
        var model = f.Model(c.GetProperty("model").GetString()!);
        var expected = c.GetProperty("expected");
        var cosName = expected.GetProperty("cos").GetString()!;
        var count = f.Expected(cosName).shape[0];
        if (c.TryGetProperty("positions", out var p) && p.GetString() is { } text && text.StartsWith("arange(", StringComparison.Ordinal))
            Assert.That(long.Parse(text["arange(".Length..^1], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(count), "positions");
        var (cos, sin) = model.model.Rotary.Forward(arange(count, dtype: ScalarType.Int64).unsqueeze(0), ScalarType.Float32);
        foreach (var e in expected.EnumerateObject())
        {
            var actual = e.Name switch
            {
                "inv_freq" => model.model.Rotary.InvFreq,
                "cos" => cos[0],
                "sin" => sin[0],
                _ => throw new AssertionException($"{f.Name}/{id}: rope tensor '{e.Name}' is not known to this test"),
            };
            f.AssertMatches(e.Value.GetString()!, actual);
        }
    }

    internal static long[] Ids(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetInt64()).ToArray() : [value.GetInt64()];
}
