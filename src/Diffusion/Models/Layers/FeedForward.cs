using Probe.Core.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>diffusers' <c>FeedForward</c> with the GEGLU activation (SD's default): <c>net.0.proj</c>, dropout, <c>net.2</c>.</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<nn.Module<Tensor, Tensor>> net;

    public FeedForward(long dim, int mult = 4, Device? device = null, ScalarType? dtype = null) : base(nameof(FeedForward))
    {
        var inner = dim * mult;
        net = nn.ModuleList<nn.Module<Tensor, Tensor>>(
            new GEGLU(dim, inner, device, dtype), nn.Dropout(0.0), nn.Linear(inner, dim, true, device, dtype));
        RegisterComponents();
    }

    public GEGLU Geglu => (GEGLU)net[0];

    /// <summary><c>net.2</c>, the output projection; setting it re-registers the module (LoRA wraps it).</summary>
    public nn.Module<Tensor, Tensor> Output
    {
        get => net[2];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            net[2] = value;
            ModuleRegistration.Replace(net, "2", value);
        }
    }

    public override Tensor forward(Tensor x) => net[2].forward(net[1].forward(net[0].forward(x)));
}
