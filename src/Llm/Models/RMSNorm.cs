using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// transformers' <c>Qwen2RMSNorm</c> / <c>LlamaRMSNorm</c> / <c>Qwen3RMSNorm</c>: <c>w * x / sqrt(mean(x^2) + eps)</c>,
/// the normalisation in float32 whatever the model dtype, cast back before the weight multiplies (modeling_qwen2.py).
/// </summary>
public sealed class RMSNorm : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    readonly double _eps;

    public RMSNorm(long size, double eps, Device? device = null, ScalarType? dtype = null) : base(nameof(RMSNorm))
    {
        weight = new Parameter(ones(size, dtype: dtype ?? ScalarType.Float32, device: device));
        _eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inputDtype = x.dtype;
        var x32 = x.to(ScalarType.Float32);
        var variance = x32.pow(2).mean([-1L], keepdim: true);
        var normed = x32 * rsqrt(variance + _eps);
        return (weight * normed.to(inputDtype)).MoveToOuterDisposeScope();
    }
}
