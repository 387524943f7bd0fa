using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>
/// An element-wise layer that can overwrite its input. The model uses it when no other layer reads that input, which
/// saves one large allocation per layer: on CPU, fresh multi-megabyte buffers cost more in page faults than the
/// arithmetic itself.
/// </summary>
internal interface IInPlaceLayer
{
    Tensor ForwardInPlace(Tensor x);
}
