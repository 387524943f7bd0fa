using Probe.Diffusion.Models.Autoencoders;
using static TorchSharp.torch;

namespace Probe.Tests;

/// <summary>AutoencoderKL decoding against diffusers (every fixture set; debug tensors included).</summary>
public class AutoencoderKLParityTests
{
    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Decoded_images_and_intermediates_match_diffusers(string setDir)
    {
        using var set = new ReferenceSet(setDir);
        using var scope = NewDisposeScope();
        using var vae = AutoencoderKL.FromPretrained(Path.Combine(set.PipelineDir, "vae"));
        using var noGrad = no_grad();

        var scaled = set.Input("vae.latents") / vae.Config.ScalingFactor;
        set.AssertClose("vae.scaled_latents", scaled);

        var debug = new Dictionary<string, Tensor>();
        vae.Observer = (name, value) => debug[name] = value[0..1].detach().clone().DetachFromDisposeScope();
        var decoded = vae.Decode(set.Expected("vae.scaled_latents"));
        vae.Observer = null;
        set.AssertClose("vae.decoded", decoded);
        set.AssertClose("vae.image", (decoded / 2 + 0.5).clamp(0, 1));

        foreach (var expected in set.ExpectedNames("vae.debug."))
        {
            var name = expected["vae.debug.".Length..];
            Assert.That(debug, Does.ContainKey(name), $"{set.Name}: the VAE does not expose '{name}'");
            set.AssertClose(expected, debug[name]);
        }
        foreach (var t in debug.Values) t.Dispose();
    }
}
