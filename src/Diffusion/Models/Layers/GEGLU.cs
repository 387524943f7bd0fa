using Probe.Core.Torch;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>diffusers' <c>GEGLU</c>: one projection to twice the width, split into value and gate, value · gelu(gate).</summary>
public sealed class GEGLU : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> proj;

    public GEGLU(long dimIn, long dimOut, Device? device = null, ScalarType? dtype = null) : base(nameof(GEGLU))
    {
        proj = nn.Linear(dimIn, dimOut * 2, true, device, dtype);
        RegisterComponents();
    }

    public void ReplaceProjection(nn.Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        proj = module;
        ModuleRegistration.Replace(this, "proj", module);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var both = proj.forward(x).chunk(2, -1);
        return (both[0] * nn.functional.gelu(both[1])).MoveToOuterDisposeScope();
    }
}
