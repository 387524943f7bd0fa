using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Unets;

/// <summary>A UNet encoder block: returns its output and every hidden state the decoder will skip-connect to.</summary>
public interface IUNetDownBlock
{
    (Tensor Hidden, Tensor[] Skips) Forward(Tensor hidden, Tensor temb, Tensor? context);
}

/// <summary>A UNet decoder block: consumes as many skip states as it has resnets (the last one first).</summary>
public interface IUNetUpBlock
{
    int ResnetCount { get; }

    Tensor Forward(Tensor hidden, IReadOnlyList<Tensor> skips, Tensor temb, Tensor? context, long[]? upsampleSize);
}
