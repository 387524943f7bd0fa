using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>diffusers' <c>TimestepEmbedding</c>: <c>linear_1</c> → SiLU → <c>linear_2</c>.</summary>
public sealed class TimestepEmbedding : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> linear_1;
    public nn.Module<Tensor, Tensor> linear_2;

    public TimestepEmbedding(long inChannels, long timeEmbedDim, Device? device = null, ScalarType? dtype = null)
        : base(nameof(TimestepEmbedding))
    {
        linear_1 = nn.Linear(inChannels, timeEmbedDim, true, device, dtype);
        linear_2 = nn.Linear(timeEmbedDim, timeEmbedDim, true, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var h = nn.functional.silu(linear_1.forward(x));
        return linear_2.forward(h);
    }
}
