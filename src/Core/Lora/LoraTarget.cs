using static TorchSharp.torch;

namespace Probe.Core.Lora;

/// <summary>
/// A layer LoRA can adapt: its checkpoint path, the model family's group flags (which projections it is), and how to
/// read and replace it in its parent module. Model families (the UNet, a causal LM) list their targets; the
/// <see cref="LoraStack"/> wraps and adapts them.
/// </summary>
public sealed record LoraTarget(string Path, int Group, Func<nn.Module<Tensor, Tensor>> Get, Action<nn.Module<Tensor, Tensor>> Set);
