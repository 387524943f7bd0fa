using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>
/// Keras DepthwiseConv2D (TF padding rules). TF orders output channels as in*multiplier + m, which is exactly how a
/// grouped libtorch convolution with groups = in orders them, so <c>depthwise_kernel</c> [kh, kw, in, m] is stored as
/// [in*m, 1, kh, kw].
/// </summary>
internal sealed class DepthwiseConv2D : nn.Module<Tensor, Tensor>
{
    readonly Parameter depthwise_kernel;
    readonly Parameter? bias;
    readonly (int H, int W) strides;
    readonly (int H, int W) dilation;
    readonly bool same;
    readonly string activation;
    readonly long groups;

    public DepthwiseConv2D(string name, TfjsConfig config, WeightSet weights) : base(name)
    {
        config.RequireChannelsLast();
        var (kh, kw) = config.Pair("kernel_size");
        var multiplier = config.Int("depth_multiplier", 1);
        strides = config.Pair("strides", (1, 1));
        dilation = config.Pair("dilation_rate", (1, 1));
        same = TfPadding.IsSame(config.String("padding", "valid"), config);
        activation = KerasActivation.Validate(config.String("activation", "linear"), config);
        using (var k = weights.Tensor(config.Item, $"{name}/depthwise_kernel", kh, kw, -1, multiplier))
        {
            groups = k.shape[2];
            depthwise_kernel = new Parameter(k.permute(2, 3, 0, 1).reshape(groups * multiplier, 1, kh, kw).contiguous(), requires_grad: false);
        }
        if (config.Bool("use_bias", true))
            bias = new Parameter(weights.Tensor(config.Item, $"{name}/bias", groups * multiplier), requires_grad: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = TfPadding.Conv2d(x, depthwise_kernel, bias, same, strides, dilation, groups);
        return KerasActivation.Apply(activation, y, 1, inPlace: true);
    }
}
