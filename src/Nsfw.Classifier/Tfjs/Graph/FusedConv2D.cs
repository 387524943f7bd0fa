using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Graph;

/// <summary>
/// TF Conv2D / _FusedConv2D (+ BiasAdd, Relu/Relu6) and DepthwiseConv2dNative / FusedDepthwiseConv2dNative,
/// with TF 'SAME' padding (the smaller half before). The TF.js converter has already folded BatchNorm into
/// <c>filter</c> and <c>bias</c>. <c>filter</c> is stored in libtorch's [out, in/groups, kh, kw] order.
/// </summary>
internal sealed class FusedConv2D : nn.Module<Tensor, Tensor>
{
    readonly Parameter filter;
    readonly Parameter? bias;
    readonly (long H, long W) strides;
    readonly (long H, long W) dilations;
    readonly bool same;
    readonly long groups;
    readonly FusedActivation fused;

    public FusedConv2D(GraphNode node, bool depthwise, Func<string, long[], Tensor> constant) : base(node.Name.Replace('.', '_'))
    {
        node.RequireNhwc();
        strides = node.Spatial("strides", 1);
        dilations = node.Spatial("dilations", 1);
        same = node.SamePadding();
        fused = FusedActivation.Of(node);
        var expectedInputs = fused.HasBias ? 3 : 2;
        if (node.Inputs.Count != expectedInputs)
            throw node.Error($"expects {expectedInputs} inputs (x, filter{(fused.HasBias ? ", bias" : "")}), got {node.Inputs.Count}");
        using var f = constant(node.Inputs[1], [-1, -1, -1, -1]);
        long outChannels;
        if (depthwise)
        {
            // [kh, kw, in, multiplier] → [in*multiplier, 1, kh, kw]; TF's channel order in*m + j matches libtorch groups.
            groups = f.shape[2];
            outChannels = f.shape[2] * f.shape[3];
            filter = new Parameter(f.permute(2, 3, 0, 1).reshape(outChannels, 1, f.shape[0], f.shape[1]).contiguous(), requires_grad: false);
        }
        else
        {
            groups = 1;
            outChannels = f.shape[3];
            filter = new Parameter(f.permute(3, 2, 0, 1).contiguous(), requires_grad: false);
        }
        if (fused.HasBias) bias = new Parameter(constant(node.Inputs[2], [outChannels]), requires_grad: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = TfPadding.Conv2d(x, filter, bias, same, strides, dilations, groups);
        return fused.Apply(y);
    }
}
