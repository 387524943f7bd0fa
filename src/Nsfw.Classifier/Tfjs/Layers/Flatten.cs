using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>Keras Flatten: flattens in TF's NHWC order, so an internal NCHW tensor is permuted back first.</summary>
internal sealed class Flatten : nn.Module<Tensor, Tensor>
{
    public Flatten(string name) : base(name) => RegisterComponents();

    public override Tensor forward(Tensor x) => x.Dimensions == 4 ? x.permute(0, 2, 3, 1).flatten(1) : x.flatten(1);
}
