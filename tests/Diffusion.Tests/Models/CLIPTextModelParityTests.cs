using Probe.Diffusion.Models.TextEncoders;
using static TorchSharp.torch;

namespace Probe.Tests;

/// <summary>CLIPTextModel against transformers (every fixture set; every layer's hidden state included).</summary>
public class CLIPTextModelParityTests
{
    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Last_hidden_state_and_every_layer_match_transformers(string setDir)
    {
        using var set = new ReferenceSet(setDir);
        using var scope = NewDisposeScope();
        using var encoder = CLIPTextModel.FromPretrained(Path.Combine(set.PipelineDir, "text_encoder"));
        using var noGrad = no_grad();

        var debug = new Dictionary<string, Tensor>();
        encoder.Observer = (name, value) => debug[name] = value[0..1].detach().clone().DetachFromDisposeScope();
        var hidden = encoder.forward(set.Input("text_encoder.input_ids"));
        encoder.Observer = null;
        set.AssertClose("text_encoder.last_hidden_state", hidden);

        var layers = set.ExpectedNames("text_encoder.debug.hidden_states.").ToList();
        Assert.That(layers, Has.Count.EqualTo(encoder.Config.NumHiddenLayers + 1), $"{set.Name}: one debug state per layer plus embeddings");
        foreach (var expected in layers)
            set.AssertClose(expected, debug[expected["text_encoder.debug.".Length..]]);
        foreach (var t in debug.Values) t.Dispose();
    }

    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Clip_skip_uses_an_earlier_layer_through_the_final_norm(string setDir)
    {
        using var set = new ReferenceSet(setDir);
        using var scope = NewDisposeScope();
        using var encoder = CLIPTextModel.FromPretrained(Path.Combine(set.PipelineDir, "text_encoder"));
        using var noGrad = no_grad();
        var ids = set.Input("text_encoder.input_ids")[0..1];
        var layers = encoder.Config.NumHiddenLayers;
        var penultimate = set.Expected($"text_encoder.debug.hidden_states.{layers - 1}");
        var expected = encoder.text_model.final_layer_norm.forward(penultimate);
        var skipped = encoder.Encode(ids, clipSkip: 1);
        Assert.That(skipped.allclose(expected, rtol: 1e-4, atol: 1e-5), Is.True);
        Assert.That(skipped.allclose(encoder.Encode(ids), rtol: 1e-4, atol: 1e-5), Is.False, "clip skip 1 must change the output");
    }
}
