using static TorchSharp.torch;

namespace Probe.Diffusion.Models.TextEncoders;

/// <summary>transformers' <c>CLIPMLP</c>: <c>fc1</c> → gelu or quick_gelu (x·σ(1.702x)) → <c>fc2</c>.</summary>
public sealed class CLIPMLP : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> fc1;
    public nn.Module<Tensor, Tensor> fc2;
    readonly bool _quickGelu;

    public CLIPMLP(CLIPTextConfig config, Device? device, ScalarType? dtype) : base(nameof(CLIPMLP))
    {
        _quickGelu = config.HiddenAct == "quick_gelu";
        fc1 = nn.Linear(config.HiddenSize, config.IntermediateSize, true, device, dtype);
        fc2 = nn.Linear(config.IntermediateSize, config.HiddenSize, true, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = fc1.forward(x);
        h = _quickGelu ? h * sigmoid(h * 1.702) : nn.functional.gelu(h);
        return fc2.forward(h).MoveToOuterDisposeScope();
    }
}
