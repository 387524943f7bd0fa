using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>Keras Dense on [N, in]: x · kernel [in, out] + bias, then the activation (softmax over the units).</summary>
internal sealed class Dense : nn.Module<Tensor, Tensor>
{
    readonly Parameter kernel;
    readonly Parameter? bias;
    readonly string activation;

    public Dense(string name, TfjsConfig config, WeightSet weights) : base(name)
    {
        var units = config.Int("units");
        activation = KerasActivation.Validate(config.String("activation", "linear"), config);
        kernel = new Parameter(weights.Tensor(config.Item, $"{name}/kernel", -1, units), requires_grad: false);
        if (config.Bool("use_bias", true)) bias = new Parameter(weights.Tensor(config.Item, $"{name}/bias", units), requires_grad: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.Dimensions != 2)
            throw new InvalidOperationException($"Dense layer '{name}' expects [N, features], got [{string.Join(",", x.shape)}] (is a Flatten missing?)");
        var y = x.matmul(kernel);
        if (bias is not null) y = y.add(bias);
        return KerasActivation.Apply(activation, y, -1, inPlace: true);
    }
}
