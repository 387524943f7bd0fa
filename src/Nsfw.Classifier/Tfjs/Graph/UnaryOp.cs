using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Graph;

/// <summary>Shape-preserving one-input ops: Identity, Relu, Relu6, Softmax (over the last TF axis).</summary>
internal sealed class UnaryOp : nn.Module<Tensor, Tensor>
{
    public static readonly string[] Ops = ["Identity", "Relu", "Relu6", "Softmax"];

    readonly string op;

    public UnaryOp(GraphNode node) : base(node.Name.Replace('.', '_'))
    {
        op = node.Op;
        if (!Ops.Contains(op)) throw node.Error($"not a unary op ({string.Join(", ", Ops)})");
        if (node.Inputs.Count != 1) throw node.Error($"expects 1 input, got {node.Inputs.Count}");
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => op switch
    {
        "Relu" => nn.functional.relu(x),
        "Relu6" => x.clamp(0, 6),
        "Softmax" => x.softmax(x.Dimensions == 4 ? 1 : -1),
        _ => x,
    };
}
