using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Core.Torch;

/// <summary>
/// Channels-last (NHWC) memory layout for convolutions. TorchSharp has no <c>memory_format</c> argument, but libtorch
/// recognises the layout from strides, so an NCHW view of NHWC-ordered memory (permute, contiguous, permute back) is
/// a channels-last tensor; convolutions then keep their outputs channels-last.
/// </summary>
public static class MemoryLayout
{
    public static Tensor ToChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return x;
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }

    /// <summary>Returns <paramref name="x"/> channels-last when asked, else as it is (ownership passes to the result).</summary>
    public static Tensor Prepare(Tensor x, bool channelsLast)
    {
        if (!channelsLast) return x;
        var converted = ToChannelsLast(x);
        x.Dispose();
        return converted;
    }

    /// <summary>Stores every 2-D convolution weight of <paramref name="module"/> channels-last.</summary>
    public static void ToChannelsLast(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            if (child is not Conv2d conv) continue;
            var weight = conv.weight!;
            conv.weight = new Parameter(ToChannelsLast(weight), weight.requires_grad);
            weight.Dispose();
        }
    }
}
