using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>
/// Keras Conv2D with TF padding: 'same' pads asymmetrically (more after) when the total is odd.
/// <c>kernel</c> is stored in libtorch's [out, in, kh, kw] order (TF.js stores [kh, kw, in, out]).
/// </summary>
internal sealed class Conv2D : nn.Module<Tensor, Tensor>
{
    readonly Parameter kernel;
    readonly Parameter? bias;
    readonly (int H, int W) strides;
    readonly (int H, int W) dilation;
    readonly bool same;
    readonly string activation;

    public Conv2D(string name, TfjsConfig config, WeightSet weights) : base(name)
    {
        config.RequireChannelsLast();
        var filters = config.Int("filters");
        var (kh, kw) = config.Pair("kernel_size");
        strides = config.Pair("strides", (1, 1));
        dilation = config.Pair("dilation_rate", (1, 1));
        same = TfPadding.IsSame(config.String("padding", "valid"), config);
        activation = KerasActivation.Validate(config.String("activation", "linear"), config);
        if (config.Int("groups", 1) != 1) throw config.Error("grouped convolution (groups > 1) is not supported");
        using (var k = weights.Tensor(config.Item, $"{name}/kernel", kh, kw, -1, filters))
            kernel = new Parameter(k.permute(3, 2, 0, 1).contiguous(), requires_grad: false);
        if (config.Bool("use_bias", true))
            bias = new Parameter(weights.Tensor(config.Item, $"{name}/bias", filters), requires_grad: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = TfPadding.Conv2d(x, kernel, bias, same, strides, dilation);
        return KerasActivation.Apply(activation, y, 1, inPlace: true);
    }
}
