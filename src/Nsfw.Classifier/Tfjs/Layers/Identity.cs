using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>Layers that do nothing at inference: Dropout, and the InputLayer's pass-through.</summary>
internal sealed class Identity : nn.Module<Tensor, Tensor>
{
    public Identity(string name) : base(name) => RegisterComponents();

    public override Tensor forward(Tensor x) => x;
}
