using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.TextEncoders;

/// <summary>transformers' <c>CLIPTextEmbeddings</c>: token embedding plus learned absolute position embedding.</summary>
public sealed class CLIPTextEmbeddings : nn.Module<Tensor, Tensor>
{
    public readonly Embedding token_embedding;
    public readonly Embedding position_embedding;

    public CLIPTextEmbeddings(CLIPTextConfig config, Device? device, ScalarType? dtype) : base(nameof(CLIPTextEmbeddings))
    {
        token_embedding = nn.Embedding(config.VocabSize, config.HiddenSize, device: device, dtype: dtype);
        position_embedding = nn.Embedding(config.MaxPositionEmbeddings, config.HiddenSize, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var positions = arange(inputIds.shape[1], dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        return (token_embedding.forward(inputIds) + position_embedding.forward(positions)).MoveToOuterDisposeScope();
    }
}
