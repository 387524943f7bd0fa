using Probe.Nsfw.Classifier.Tfjs.Layers;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Graph;

/// <summary>TF Squeeze of the listed size-1 axes (TF axis numbers, mapped to the internal layout).</summary>
internal sealed class Squeeze : nn.Module<Tensor, Tensor>
{
    readonly long[] tfAxes;

    public Squeeze(GraphNode node) : base(node.Name.Replace('.', '_'))
    {
        tfAxes = node.Ints("squeeze_dims", []);
        if (tfAxes.Length == 0) throw node.Error("squeeze_dims is empty (squeezing every size-1 axis is not supported)");
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var rank = x.Dimensions;
        foreach (var axis in tfAxes.Select(a => InternalLayout.Axis(a, rank)).OrderDescending().ToArray())
        {
            if (x.shape[axis] != 1) throw new InvalidOperationException($"Squeeze '{name}': axis {axis} has size {x.shape[axis]}, not 1");
            x = x.squeeze(axis);
        }
        return x;
    }
}
