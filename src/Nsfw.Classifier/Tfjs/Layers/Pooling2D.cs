using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>
/// Keras AveragePooling2D / MaxPooling2D and TF AvgPool / MaxPool. With 'same' padding an average divides by the
/// number of in-bounds pixels (TF never counts padding), and a maximum ignores the padding.
/// </summary>
internal sealed class Pooling2D : nn.Module<Tensor, Tensor>
{
    readonly bool average;
    readonly (long H, long W) size;
    readonly (long H, long W) strides;
    readonly bool same;

    public Pooling2D(string name, bool average, (long H, long W) size, (long H, long W) strides, bool same) : base(name)
    {
        this.average = average;
        this.size = size;
        this.strides = strides;
        this.same = same;
        RegisterComponents();
    }

    /// <summary>From a Keras config (pool_size, strides defaulting to pool_size, padding).</summary>
    public static Pooling2D FromKeras(string name, bool average, TfjsConfig config)
    {
        config.RequireChannelsLast();
        var size = config.Pair("pool_size", (2, 2));
        var strides = config.Node("strides") is null ? size : config.Pair("strides");
        return new Pooling2D(name, average, size, strides, TfPadding.IsSame(config.String("padding", "valid"), config));
    }

    public override Tensor forward(Tensor x)
    {
        long[] kernel = [size.H, size.W], stride = [strides.H, strides.W];
        if (!same)
            return average
                ? nn.functional.avg_pool2d(x, kernel, stride)
                : nn.functional.max_pool2d(x, kernel, stride);

        var (top, bottom) = TfPadding.Same(x.shape[2], size.H, strides.H);
        var (left, right) = TfPadding.Same(x.shape[3], size.W, strides.W);
        if (!average)
            return nn.functional.max_pool2d(nn.functional.pad(x, [left, right, top, bottom], value: double.NegativeInfinity), kernel, stride);
        // libtorch excludes symmetric padding from the count itself; asymmetric padding needs the count computed.
        if (top == bottom && left == right && top * 2 <= size.H && left * 2 <= size.W)
            return nn.functional.avg_pool2d(x, kernel, stride, [top, left], count_include_pad: false);
        var sums = nn.functional.avg_pool2d(nn.functional.pad(x, [left, right, top, bottom]), kernel, stride, divisor_override: 1);
        using var ones = TorchSharp.torch.ones([1, 1, x.shape[2], x.shape[3]], dtype: x.dtype, device: x.device);
        var counts = nn.functional.avg_pool2d(nn.functional.pad(ones, [left, right, top, bottom]), kernel, stride, divisor_override: 1);
        return sums.div(counts);
    }
}
