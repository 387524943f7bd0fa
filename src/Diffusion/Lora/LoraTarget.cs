using static TorchSharp.torch;

namespace Probe.Diffusion.Lora;

/// <summary>A UNet layer LoRA can adapt: its checkpoint path, its group, and how to read and replace it in its parent.</summary>
internal sealed record LoraTarget(string Path, LoraTargets Group, Func<nn.Module<Tensor, Tensor>> Get, Action<nn.Module<Tensor, Tensor>> Set);
