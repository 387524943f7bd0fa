namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>
/// TF.js models are NHWC; the port runs rank-4 tensors as NCHW (what libtorch's convolutions want) and maps axes.
/// Tensors of other ranks keep their TF layout.
/// </summary>
internal static class InternalLayout
{
    /// <summary>The internal axis of TF axis <paramref name="tfAxis"/> (negative counts from the end) for a tensor of <paramref name="rank"/>.</summary>
    public static long Axis(long tfAxis, long rank)
    {
        var a = tfAxis < 0 ? tfAxis + rank : tfAxis;
        if (a < 0 || a >= rank) throw new ArgumentOutOfRangeException(nameof(tfAxis), tfAxis, $"axis out of range for rank {rank}");
        if (rank != 4) return a;
        return a switch { 0 => 0, 1 => 2, 2 => 3, _ => 1 };
    }
}
