using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>
/// Keras BatchNormalization at inference over the channel axis: beta + (x - moving_mean) * gamma / sqrt(moving_variance + epsilon).
/// gamma is absent when scale=false (InceptionV3) and beta when center=false; they then count as 1 and 0.
/// The factor gamma / sqrt(var + eps) is computed once in float64, as tfjs computes it per element in float64.
/// </summary>
internal sealed class BatchNormalization : nn.Module<Tensor, Tensor>, IInPlaceLayer
{
    readonly Parameter? gamma;
    readonly Parameter? beta;
    readonly Parameter moving_mean;
    readonly Parameter moving_variance;
    readonly Tensor factor;
    readonly Tensor shift;

    public BatchNormalization(string name, TfjsConfig config, WeightSet weights) : base(name)
    {
        var axis = config.Node("axis") is System.Text.Json.Nodes.JsonArray { Count: 1 } list ? list[0]!.GetValue<int>() : config.Int("axis", -1);
        if (axis is not (-1 or 3)) throw config.Error($"axis {axis} is not supported (the channel axis, -1 or 3)");
        var epsilon = config.Double("epsilon", 1e-3);
        moving_mean = new Parameter(weights.Tensor(config.Item, $"{name}/moving_mean", -1), requires_grad: false);
        var channels = moving_mean.shape[0];
        moving_variance = new Parameter(weights.Tensor(config.Item, $"{name}/moving_variance", channels), requires_grad: false);
        if (config.Bool("scale", true)) gamma = new Parameter(weights.Tensor(config.Item, $"{name}/gamma", channels), requires_grad: false);
        if (config.Bool("center", true)) beta = new Parameter(weights.Tensor(config.Item, $"{name}/beta", channels), requires_grad: false);

        using (var scope = NewDisposeScope())
        {
            var g = gamma is null ? ones(channels, dtype: ScalarType.Float64) : gamma.to(ScalarType.Float64);
            var f = g.div(moving_variance.to(ScalarType.Float64).add(epsilon).sqrt());
            factor = f.to(ScalarType.Float32).reshape(1, channels, 1, 1).MoveToOuterDisposeScope();
            shift = (beta is null ? zeros(channels) : beta.clone()).reshape(1, channels, 1, 1).MoveToOuterDisposeScope();
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var c = moving_mean.shape[0];
        var mean = moving_mean.reshape(1, c, 1, 1);
        if (x.Dimensions == 2)
            return x.sub(moving_mean).mul(factor.reshape(c)).add(shift.reshape(c));
        return x.sub(mean).mul(factor).add(shift);
    }

    public Tensor ForwardInPlace(Tensor x)
    {
        if (x.Dimensions != 4) return forward(x);
        var c = moving_mean.shape[0];
        return x.sub_(moving_mean.reshape(1, c, 1, 1)).mul_(factor).add_(shift);
    }
}
