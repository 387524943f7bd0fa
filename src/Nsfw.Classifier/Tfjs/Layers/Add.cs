using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>Keras Add: the element-wise sum of its inputs (residual connections).</summary>
internal sealed class Add : nn.Module<IReadOnlyList<Tensor>, Tensor>
{
    public Add(string name) : base(name) => RegisterComponents();

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count < 2) throw new InvalidOperationException($"Add layer '{name}' needs at least two inputs, got {inputs.Count}");
        var sum = inputs[0].add(inputs[1]);
        for (var i = 2; i < inputs.Count; i++) sum = sum.add_(inputs[i]);
        return sum;
    }
}
