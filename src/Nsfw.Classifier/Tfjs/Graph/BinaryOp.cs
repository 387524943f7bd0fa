using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Graph;

/// <summary>
/// Element-wise Mul, Sub, Add / AddV2 with TF broadcasting. A constant operand is held by the op; a per-channel
/// vector is reshaped to broadcast over the internal NCHW layout, as it broadcast over NHWC's last axis in TF.
/// </summary>
internal sealed class BinaryOp : nn.Module<IReadOnlyList<Tensor>, Tensor>
{
    public static readonly string[] Ops = ["Mul", "Sub", "Add", "AddV2"];

    readonly string op;
    readonly Tensor? left;
    readonly Tensor? right;

    /// <param name="node">The Mul / Sub / Add / AddV2 node.</param>
    /// <param name="left">The constant first operand, or null when it is computed.</param>
    /// <param name="right">The constant second operand, or null when it is computed.</param>
    public BinaryOp(GraphNode node, Tensor? left, Tensor? right) : base(node.Name.Replace('.', '_'))
    {
        op = node.Op;
        if (!Ops.Contains(op)) throw node.Error($"not an element-wise op ({string.Join(", ", Ops)})");
        if (node.Inputs.Count != 2) throw node.Error($"expects 2 inputs, got {node.Inputs.Count}");
        if (left is not null && right is not null) throw node.Error("both operands are constants (constant folding is not supported)");
        if (left?.Dimensions > 1 || right?.Dimensions > 1) throw node.Error("constant operands of rank above 1 are not supported");
        this.left = left;
        this.right = right;
        RegisterComponents();
    }

    /// <summary>The computed operands, in order (one when the other is a constant).</summary>
    public override Tensor forward(IReadOnlyList<Tensor> computed)
    {
        var i = 0;
        var a = left is null ? computed[i++] : left;
        var b = right is null ? computed[i] : right;
        (a, b) = (Broadcastable(a, b), Broadcastable(b, a));
        return op switch
        {
            "Mul" => a.mul(b),
            "Sub" => a.sub(b),
            _ => a.add(b),
        };
    }

    /// <summary>A rank-1 vector meeting a rank-4 (internal NCHW) tensor broadcasts over channels.</summary>
    static Tensor Broadcastable(Tensor vector, Tensor other) =>
        vector.Dimensions == 1 && other.Dimensions == 4 && vector.shape[0] > 1 ? vector.reshape(1, -1, 1, 1) : vector;
}
