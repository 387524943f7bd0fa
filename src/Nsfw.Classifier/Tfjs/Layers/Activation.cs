using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>Keras Activation layer (relu, relu6, sigmoid, tanh, softmax, linear).</summary>
internal sealed class Activation : nn.Module<Tensor, Tensor>, IInPlaceLayer
{
    readonly string activation;

    public Activation(string name, TfjsConfig config) : base(name)
    {
        activation = KerasActivation.Validate(config.String("activation"), config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => KerasActivation.Apply(activation, x, x.Dimensions == 4 ? 1 : -1);

    public Tensor ForwardInPlace(Tensor x) => activation switch
    {
        "relu" => x.relu_(),
        "relu6" => x.clamp_(0, 6),
        _ => forward(x),
    };
}
