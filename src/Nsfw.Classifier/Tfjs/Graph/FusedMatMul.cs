using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Graph;

/// <summary>TF MatMul / _FusedMatMul (+ BiasAdd, Relu/Relu6) of a [N, in] tensor by a constant matrix.</summary>
internal sealed class FusedMatMul : nn.Module<Tensor, Tensor>
{
    readonly Parameter weights;
    readonly Parameter? bias;
    readonly FusedActivation fused;

    public FusedMatMul(GraphNode node, Func<string, long[], Tensor> constant) : base(node.Name.Replace('.', '_'))
    {
        if (node.Bool("transpose_a", false)) throw node.Error("transpose_a is not supported");
        fused = FusedActivation.Of(node);
        var expectedInputs = fused.HasBias ? 3 : 2;
        if (node.Inputs.Count != expectedInputs)
            throw node.Error($"expects {expectedInputs} inputs (x, weights{(fused.HasBias ? ", bias" : "")}), got {node.Inputs.Count}");
        using var w = constant(node.Inputs[1], [-1, -1]);
        weights = new Parameter(node.Bool("transpose_b", false) ? w.t().contiguous() : w.clone(), requires_grad: false);
        if (fused.HasBias) bias = new Parameter(constant(node.Inputs[2], [weights.shape[1]]), requires_grad: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.Dimensions != 2) throw new InvalidOperationException($"MatMul '{name}' expects [N, features], got [{string.Join(",", x.shape)}]");
        var y = x.matmul(weights);
        if (bias is not null) y = y.add(bias);
        return fused.Apply(y);
    }
}
