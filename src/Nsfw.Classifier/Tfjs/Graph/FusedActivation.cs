using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Graph;

/// <summary>
/// The fused_ops list of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul: an optional BiasAdd followed by an
/// optional activation (Relu, Relu6), as the TF.js converter fuses them.
/// </summary>
internal sealed record FusedActivation(bool HasBias, string? Activation)
{
    public static FusedActivation Of(GraphNode node)
    {
        var ops = node.Strings("fused_ops");
        if (ops.Count == 0) return new FusedActivation(false, null);
        if (ops[0] != "BiasAdd") throw node.Error($"fused_ops [{string.Join(",", ops)}] are not supported (BiasAdd, then optionally Relu or Relu6)");
        if (ops.Count == 1) return new FusedActivation(true, null);
        if (ops.Count == 2 && ops[1] is "Relu" or "Relu6") return new FusedActivation(true, ops[1]);
        throw node.Error($"fused_ops [{string.Join(",", ops)}] are not supported (BiasAdd, then optionally Relu or Relu6)");
    }

    /// <summary>Applies the activation in place: <paramref name="x"/> is always the op's own fresh output.</summary>
    public Tensor Apply(Tensor x) => Activation switch
    {
        "Relu" => x.relu_(),
        "Relu6" => x.clamp_(0, 6),
        _ => x,
    };
}
