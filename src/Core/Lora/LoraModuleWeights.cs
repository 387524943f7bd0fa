using static TorchSharp.torch;

namespace Probe.Core.Lora;

/// <summary>
/// One module's LoRA: down (A, [r,in] or [r,in,1,1]) and up (B, [out,r] or [out,r,1,1]) on the CPU in float32, and
/// alpha (the update is (alpha / r)·B·A).
/// </summary>
public sealed record LoraModuleWeights(string ModulePath, Tensor A, Tensor B, double Alpha)
{
    public int Rank => (int)A.shape[0];
}
