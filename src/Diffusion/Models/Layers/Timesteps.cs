using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>
/// diffusers' <c>Timesteps</c> / <c>get_timestep_embedding</c>: sinusoidal embedding of the (float) timesteps with
/// frequencies exp(-ln(10000)·i/(half − freq_shift)), laid out [sin, cos] or, with <c>flip_sin_to_cos</c>, [cos, sin].
/// Computed in float32 exactly as diffusers does, whatever the model dtype.
/// </summary>
public static class Timesteps
{
    public static Tensor Embed(Tensor timesteps, int dim, bool flipSinToCos, double freqShift, double maxPeriod = 10000)
    {
        using var scope = NewDisposeScope();
        var half = dim / 2;
        var exponent = arange(0, half, dtype: ScalarType.Float32, device: timesteps.device) * (float)(-Math.Log(maxPeriod));
        exponent = exponent / (float)(half - freqShift);
        var freqs = exp(exponent);
        var args = timesteps.to(ScalarType.Float32).unsqueeze(1) * freqs.unsqueeze(0);
        var emb = flipSinToCos ? cat([cos(args), sin(args)], -1) : cat([sin(args), cos(args)], -1);
        if (dim % 2 == 1) emb = nn.functional.pad(emb, [0, 1, 0, 0]);
        return emb.MoveToOuterDisposeScope();
    }
}
