using Probe.Core.Images;
using Probe.Nsfw.Classifier.Images;

namespace Probe.Nsfw.Classifier.Nsfwjs;

/// <summary>
/// nsfwjs's NSFWJS.infer preprocessing, bit for bit: x = float32(pixel)/255 (rounded to float32), then, only when the
/// image is not already size×size, tf.image.resizeBilinear(x, [size, size], alignCorners=true) as the tfjs CPU kernel
/// computes it. The result is NHWC, channels R,G,B, values in [0,1]; no mean/std.
/// </summary>
public static class NsfwjsPreprocessor
{
    /// <summary>One image → size*size*3 floats (HWC).</summary>
    public static float[] Preprocess(RgbImage image, int size)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var scaled = new float[image.Pixels.Length];
        for (var i = 0; i < scaled.Length; i++) scaled[i] = (float)(image.Pixels[i] / 255.0);
        if (image.Width == size && image.Height == size) return scaled;
        return BilinearResize.AlignCorners(scaled, image.Height, image.Width, 3, size, size);
    }

    /// <summary>A batch → N*size*size*3 floats (NHWC), filled in parallel.</summary>
    public static float[] PreprocessBatch(IReadOnlyList<RgbImage> images, int size)
    {
        ArgumentNullException.ThrowIfNull(images);
        var per = size * size * 3;
        var batch = new float[images.Count * per];
        Parallel.For(0, images.Count, i => Preprocess(images[i], size).CopyTo(batch, i * per));
        return batch;
    }
}
