using Probe.Diffusion.Models.Unets;
using static TorchSharp.torch;

namespace Probe.Tests;

/// <summary>UNet2DConditionModel against diffusers' outputs (every fixture set, every unet case, debug tensors included).</summary>
public class UNetParityTests
{
    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Noise_predictions_and_intermediates_match_diffusers(string setDir)
    {
        using var set = new ReferenceSet(setDir);
        using var scope = NewDisposeScope();
        using var unet = UNet2DConditionModel.FromPretrained(Path.Combine(set.PipelineDir, "unet"));
        using var noGrad = no_grad();
        var sample = set.Input("unet.sample");
        var context = set.Input("unet.encoder_hidden_states");

        var cases = set.ExpectedNames("unet.case").Select(n => n.Split('.')[1]).Distinct().ToList();
        Assert.That(cases, Is.Not.Empty, $"{set.Name}: no unet cases");
        foreach (var c in cases)
        {
            var debug = new Dictionary<string, Tensor>();
            // Observed tensors live in the forward pass's dispose scope: keep detached copies.
            unet.Observer = (name, value) => debug[name] = value[0..1].detach().clone().DetachFromDisposeScope();
            var noise = unet.forward(sample, set.Input($"unet.{c}.timestep"), context);
            unet.Observer = null;
            set.AssertClose($"unet.{c}.noise_pred", noise);
            foreach (var expected in set.ExpectedNames($"unet.{c}.debug."))
            {
                var name = expected[$"unet.{c}.debug.".Length..];
                Assert.That(debug, Does.ContainKey(name), $"{set.Name}: the UNet does not expose '{name}'");
                set.AssertClose(expected, debug[name]);
            }
            foreach (var t in debug.Values) t.Dispose();
        }
    }
}
