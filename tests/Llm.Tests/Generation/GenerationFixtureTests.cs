using Probe.Llm.Generation;
using Probe.Tests.Models;
using static TorchSharp.torch;

namespace Probe.Tests.Generation;

/// <summary>Every generate, logprobs and sampling case of every LLM fixture set.</summary>
public class GenerationFixtureTests
{
    public static IEnumerable<TestCaseData> GenerateCases() => LlmFixture.Cases("generate_greedy");

    public static IEnumerable<TestCaseData> LogProbCases() => LlmFixture.Cases("logprobs");

    public static IEnumerable<TestCaseData> SamplingCases() => LlmFixture.Cases("sampling");

    [TestCaseSource(nameof(GenerateCases))]
    public void Greedy_generation_matches_transformers(string set, string id)
    {
        using var scope = NewDisposeScope();
        var f = LlmFixture.Of(set);
        var c = f.Case(id);
        var model = f.Model(c.GetProperty("model").GetString()!);
        var p = c.GetProperty("params");
        Assert.That(p.TryGetProperty("do_sample", out var s) && s.GetBoolean(), Is.False, "greedy cases only");
        var ids = f.Input(c.GetProperty("inputs").GetProperty("input_ids").GetString()!);
        var mask = f.Input(c.GetProperty("inputs").GetProperty("attention_mask").GetString()!);
        var result = CausalLMGeneration.Generate(model, ids, mask, new GenerationOptions
        {
            MaxNewTokens = p.GetProperty("max_new_tokens").GetInt32(),
            PadTokenId = p.GetProperty("pad_token_id").GetInt64(),
            EosTokenIds = p.TryGetProperty("eos_token_id", out var eos) ? ModelFixtureTests.Ids(eos) : [],
            OutputLogits = true,
        });
        foreach (var e in c.GetProperty("expected").EnumerateObject())
        {
            var name = e.Value.GetString()!;
            switch (e.Name)
            {
                case "sequences":
                    f.AssertMatches(name, result.Sequences);
                    break;
                case "step_logits":
                    f.AssertMatches(name, stack(result.StepLogits!, 0));
                    break;
                case "position_ids_step0":
                    f.AssertMatches(name, PositionIds.FromAttentionMask(mask));
                    break;
                default:
                    Assert.Fail($"{f.Name}/{id}: expected tensor kind '{e.Name}' is not known to this test");
                    break;
            }
        }
    }

    [TestCaseSource(nameof(LogProbCases))]
    public void Log_probs_match_transformers(string set, string id)
    {
        using var scope = NewDisposeScope();
        var f = LlmFixture.Of(set);
        var c = f.Case(id);
        var model = f.Model(c.GetProperty("model").GetString()!);
        var inputs = c.GetProperty("inputs");
        Tensor In(string key) => f.Input(inputs.GetProperty(key).GetString()!);
        var (pi, pm, ci, cm) = (In("prompt_ids"), In("prompt_mask"), In("completion_ids"), In("completion_mask"));
        var temperatures = c.GetProperty("params").GetProperty("temperatures").EnumerateObject().ToDictionary(t => t.Name, t => t.Value.GetDouble());
        foreach (var e in c.GetProperty("expected").EnumerateObject())
        {
            var name = e.Value.GetString()!;
            if (e.Name == "completion_logits")
            {
                f.AssertMatches(name, TokenLogProbs.CompletionLogits(model, pi, pm, ci, cm));
                continue;
            }
            var parts = e.Name.Split('.');
            Assert.That(parts, Has.Length.EqualTo(2), $"{f.Name}/{id}: expected key '{e.Name}'");
            var t = temperatures[parts[0]];
            var actual = parts[1] switch
            {
                "full" => TokenLogProbs.Full(model, pi, pm, ci, cm, t),
                "incremental" => TokenLogProbs.Incremental(model, pi, pm, ci, cm, t),
                "full_position_ids_from_mask" => TokenLogProbs.Full(model, pi, pm, ci, cm, t, positionIdsFromMask: true),
                _ => throw new AssertionException($"{f.Name}/{id}: log-prob variant '{parts[1]}' is not known to this test"),
            };
            f.AssertMatches(name, actual);
        }
    }

    [TestCaseSource(nameof(SamplingCases))]
    public void Sampling_warpers_match_transformers(string set, string id)
    {
        using var scope = NewDisposeScope();
        var f = LlmFixture.Of(set);
        var c = f.Case(id);
        var logits = f.Input(c.GetProperty("inputs").GetProperty("logits").GetString()!);
        var expected = c.GetProperty("expected");
        var configs = c.GetProperty("params").GetProperty("configs").EnumerateArray().ToArray();
        Assert.That(configs, Is.Not.Empty);
        foreach (var cfg in configs)
        {
            var name = cfg.GetProperty("name").GetString()!;
            var options = new SamplingOptions(cfg.GetProperty("temperature").GetDouble(), cfg.GetProperty("top_k").GetInt32(), cfg.GetProperty("top_p").GetDouble());
            var warped = LogitsWarpers.Warp(logits, options);
            var want = expected.GetProperty(name);
            f.AssertMatches(want.GetProperty("probs").GetString()!, warped.softmax(-1));
            f.AssertMatches(want.GetProperty("kept").GetString()!, warped.isfinite().to(ScalarType.Int64));
        }
    }
}
