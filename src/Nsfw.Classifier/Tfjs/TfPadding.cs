namespace Probe.Judges.Tfjs;

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
}
