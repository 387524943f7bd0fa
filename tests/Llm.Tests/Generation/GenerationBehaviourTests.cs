using Probe.Llm.Generation;
using static TorchSharp.torch;

namespace Probe.Tests.Generation;

/// <summary>Per-row seeds, the stop predicate, progress and differentiable log-probs, on the first fixture model.</summary>
public class GenerationBehaviourTests
{
    static Probe.Llm.Models.DecoderForCausalLM Model()
    {
        var (fixture, name) = LlmFixture.Models().First();
        return fixture.Model(name);
    }

    static readonly long[][] Prompts = [[5, 9, 13, 2, 7], [11, 3], [8, 8, 21]];

    static (Tensor Ids, Tensor Mask) LeftPadded(IReadOnlyList<long[]> prompts)
    {
        var width = prompts.Max(p => p.Length);
        var ids = zeros([prompts.Count, width], ScalarType.Int64);
        var mask = zeros([prompts.Count, width], ScalarType.Int64);
        for (var b = 0; b < prompts.Count; b++)
        {
            var pad = width - prompts[b].Length;
            ids[b, TensorIndex.Slice(pad)] = tensor(prompts[b]);
            mask[b, TensorIndex.Slice(pad)] = 1;
        }
        return (ids, mask);
    }

    static long[] NewTokens(GenerationResult result, int row, int promptWidth) =>
        result.Sequences[row, TensorIndex.Slice(promptWidth)].data<long>().ToArray();

    [Test]
    public void A_rows_sampled_tokens_do_not_depend_on_its_batch()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        var options = new GenerationOptions
        {
            MaxNewTokens = 10, DoSample = true, Sampling = new SamplingOptions(0.9, 50, 0.95),
        };
        var (ids, mask) = LeftPadded(Prompts);
        var batch = CausalLMGeneration.Generate(model, ids, mask, options with { Seeds = [101, 202, 303] });
        for (var b = 0; b < Prompts.Length; b++)
        {
            var (alone, aloneMask) = LeftPadded([Prompts[b]]);
            var single = CausalLMGeneration.Generate(model, alone, aloneMask, options with { Seeds = [new[] { 101L, 202, 303 }[b]] });
            Assert.That(NewTokens(single, 0, Prompts[b].Length), Is.EqualTo(NewTokens(batch, b, (int)ids.shape[1])), $"row {b}");
        }
        var reseeded = CausalLMGeneration.Generate(model, ids, mask, options with { Seeds = [101, 999, 303] });
        Assert.That(NewTokens(reseeded, 0, (int)ids.shape[1]), Is.EqualTo(NewTokens(batch, 0, (int)ids.shape[1])), "row 0 keeps its seed");
    }

    [Test]
    public void Stop_predicate_finishes_a_row_which_then_continues_with_pad()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        var (ids, mask) = LeftPadded(Prompts);
        var reports = new List<GenerationProgress>();
        var result = CausalLMGeneration.Generate(model, ids, mask, new GenerationOptions
        {
            MaxNewTokens = 6, PadTokenId = 0,
            StopWhen = (row, tokens) => row == 1 && tokens.Count == 2,
            Progress = new Probe.Core.SynchronousProgress<GenerationProgress>(reports.Add),
        });
        var width = (int)ids.shape[1];
        Assert.That(result.Sequences.shape, Is.EqualTo(new long[] { 3, width + 6 }));
        Assert.That(NewTokens(result, 1, width)[2..], Is.All.EqualTo(0L));
        Assert.That(result.GeneratedLengths, Is.EqualTo(new[] { 6, 2, 6 }));
        Assert.That(reports.Select(r => r.Step), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(reports[^1].FinishedRows, Is.EqualTo(1));
    }

    [Test]
    public void Generation_stops_when_every_row_has_finished()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        var (ids, mask) = LeftPadded(Prompts);
        var result = CausalLMGeneration.Generate(model, ids, mask, new GenerationOptions { MaxNewTokens = 8, StopWhen = (_, t) => t.Count == 3 });
        Assert.That(result.Sequences.shape[1], Is.EqualTo(ids.shape[1] + 3));
    }

    [Test]
    public void Full_log_probs_are_differentiable()
    {
        var model = Model();
        using var scope = NewDisposeScope();
        var (ids, mask) = LeftPadded(Prompts);
        var completion = tensor(new long[] { 4, 6, 9, 4, 6, 0, 1, 2, 3 }, [3L, 3L]);
        var completionMask = tensor(new long[] { 1, 1, 1, 1, 1, 0, 1, 1, 1 }, [3L, 3L]);
        model.zero_grad();
        var logp = TokenLogProbs.Full(model, ids, mask, completion, completionMask, 0.7);
        Assert.That(logp.requires_grad, Is.True);
        (logp * completionMask).sum().backward();
        var grad = model.model.layers[0].self_attn.q_proj.parameters().First().grad;
        Assert.That(grad, Is.Not.Null);
        Assert.That(grad!.abs().sum().item<float>(), Is.GreaterThan(0));
        model.zero_grad();
    }
}
