using TorchSharp;

namespace Probe.Diffusion.Schedulers;

/// <summary>
/// Imagen's dynamic thresholding of a predicted x₀ (arXiv:2205.11487), as diffusers' <c>_threshold_sample</c>: per
/// batch element, s = clamp(quantile(|x₀|, ratio), 1, max); x₀ ← clamp(x₀, −s, s) / s. With max = 1 it is plain
/// clipping to [−1, 1]. Meant for pixel-space models; latent-diffusion configs leave it off.
/// </summary>
public static class DynamicThresholding
{
    public static torch.Tensor Apply(torch.Tensor sample, double ratio, double maxValue)
    {
        using var scope = torch.NewDisposeScope();
        var dtype = sample.dtype;
        var shape = sample.shape;
        // quantile needs float32/float64 (diffusers upcasts half types the same way).
        var x = dtype is torch.ScalarType.Float32 or torch.ScalarType.Float64 ? sample : sample.to(torch.float32);
        var flat = x.reshape(shape[0], -1);
        var q = torch.tensor(ratio, dtype: flat.dtype, device: flat.device);
        var s = flat.abs().quantile(q, dim: 1).clamp(1.0, maxValue).unsqueeze(1);
        var result = (torch.clamp(flat, -s, s) / s).reshape(shape).to(dtype);
        return result.MoveToOuterDisposeScope();
    }
}
