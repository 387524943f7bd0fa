using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Tests;

/// <summary>SD 1.x checkpoints use 1×1 convolutions for proj_in/proj_out, SD 2.x linear layers: both compute the same map.</summary>
public class ProjectionTests
{
    [Test]
    public void Conv_and_linear_projections_give_the_same_transformer_output()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var linear = new Transformer2DModel(2, 16, 32, 1, 16, 8, useLinearProjection: true, upcastAttention: false, onlyCrossAttention: false);
        using var conv = new Transformer2DModel(2, 16, 32, 1, 16, 8, useLinearProjection: false, upcastAttention: false, onlyCrossAttention: false);
        using (no_grad())
        {
            var source = linear.state_dict();
            foreach (var (name, target) in conv.state_dict())
            {
                var value = source[name];
                // A linear weight [out, in] is the 1×1 convolution kernel [out, in, 1, 1].
                target.copy_(target.dim() == 4 ? value.reshape(target.shape) : value);
            }
        }
        var x = randn(2, 32, 5, 7);
        var context = randn(2, 9, 16);
        using var noGrad = no_grad();
        var difference = (linear.forward(x, context) - conv.forward(x, context)).abs().max().item<float>();
        Assert.That(difference, Is.LessThan(1e-5f));
        Assert.That(conv.proj_in, Is.InstanceOf<Conv2d>());
    }
}
