using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>Keras Concatenate along a TF axis (3 = channels for the Inception blocks), in inbound order.</summary>
internal sealed class Concatenate : nn.Module<IReadOnlyList<Tensor>, Tensor>
{
    readonly long tfAxis;

    public Concatenate(string name, TfjsConfig config) : base(name)
    {
        tfAxis = config.Int("axis", -1);
        RegisterComponents();
    }

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count < 1) throw new InvalidOperationException($"Concatenate layer '{name}' has no inputs");
        return cat(inputs.ToArray(), InternalLayout.Axis(tfAxis, inputs[0].Dimensions));
    }
}
