using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs;

/// <summary>TensorFlow's padding rules, shared by Keras layers and graph ops.</summary>
internal static class TfPadding
{
    /// <summary>
    /// 'same' padding along one axis: the output has ceil(in/stride) elements, the total padding is
    /// max((out-1)*stride + effectiveKernel - in, 0), and TF puts the smaller half before (so odd totals pad more
    /// at the bottom/right, unlike PyTorch's symmetric padding).
    /// </summary>
    public static (long Before, long After) Same(long input, long kernel, long stride, long dilation = 1)
    {
        var effective = (kernel - 1) * dilation + 1;
        var output = (input + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + effective - input, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>Parses Keras 'valid'/'same' and TF 'VALID'/'SAME'.</summary>
    public static bool IsSame(string padding, TfjsConfig config) => padding.ToLowerInvariant() switch
    {
        "same" => true,
        "valid" => false,
        _ => throw config.Error($"padding '{padding}' is not supported (valid or same)"),
    };

    /// <summary>
    /// A 2-D convolution (NCHW, weights [out, in/groups, kh, kw]) with TF's padding: 'same' pads through libtorch's
    /// symmetric padding when the halves agree and with an explicit asymmetric pad otherwise; 'valid' pads nothing.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, bool same, (long H, long W) strides, (long H, long W) dilation, long groups = 1)
    {
        long[] padding = [0, 0];
        var padded = x;
        if (same)
        {
            var (top, bottom) = Same(x.shape[2], weight.shape[2], strides.H, dilation.H);
            var (left, right) = Same(x.shape[3], weight.shape[3], strides.W, dilation.W);
            if (top == bottom && left == right) padding = [top, left];
            else padded = nn.functional.pad(x, [left, right, top, bottom]);
        }
        var y = nn.functional.conv2d(padded, weight, bias, strides: [strides.H, strides.W], padding: padding,
            dilation: [dilation.H, dilation.W], groups: groups);
        if (!ReferenceEquals(padded, x)) padded.Dispose();
        return y;
    }
}
