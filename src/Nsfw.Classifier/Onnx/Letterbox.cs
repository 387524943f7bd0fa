using Probe.Core.Images;
using Probe.Judging;
using Probe.Nsfw.Classifier.Images;

namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>
/// Fits an image into a size×size square keeping its aspect ratio: the long side becomes size, the short side
/// round(size·short/long), centred on black padding (the smaller half of the padding before). Coordinates map back with
/// <see cref="ToOriginal"/>.
/// </summary>
public sealed record Letterbox(int Size, int SourceWidth, int SourceHeight, int ResizedWidth, int ResizedHeight, int PadLeft, int PadTop)
{
    public static Letterbox For(int sourceWidth, int sourceHeight, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        int w, h;
        if (sourceHeight > sourceWidth)
        {
            h = size;
            w = Math.Clamp((int)Math.Round(size * (double)sourceWidth / sourceHeight, MidpointRounding.ToEven), 1, size);
        }
        else
        {
            w = size;
            h = Math.Clamp((int)Math.Round(size * (double)sourceHeight / sourceWidth, MidpointRounding.ToEven), 1, size);
        }
        return new Letterbox(size, sourceWidth, sourceHeight, w, h, (size - w) / 2, (size - h) / 2);
    }

    /// <summary>The letterboxed image, size*size*3 floats (HWC, values p/255, padding 0).</summary>
    public float[] Apply(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var raw = new float[image.Pixels.Length];
        for (var i = 0; i < raw.Length; i++) raw[i] = image.Pixels[i] / 255f;
        var resized = image.Width == ResizedWidth && image.Height == ResizedHeight
            ? raw
            : BilinearResize.HalfPixel(raw, image.Height, image.Width, 3, ResizedHeight, ResizedWidth);
        var result = new float[Size * Size * 3];
        for (var y = 0; y < ResizedHeight; y++)
            Array.Copy(resized, y * ResizedWidth * 3, result, ((y + PadTop) * Size + PadLeft) * 3, ResizedWidth * 3);
        return result;
    }

    /// <summary>A box in model-input pixels (centre x, centre y, width, height) → the original image, clipped to it.</summary>
    public BoundingBox ToOriginal(double cx, double cy, double width, double height)
    {
        double sx = SourceWidth / (double)ResizedWidth, sy = SourceHeight / (double)ResizedHeight;
        var left = Math.Clamp((cx - width / 2 - PadLeft) * sx, 0, SourceWidth);
        var top = Math.Clamp((cy - height / 2 - PadTop) * sy, 0, SourceHeight);
        var right = Math.Clamp((cx + width / 2 - PadLeft) * sx, 0, SourceWidth);
        var bottom = Math.Clamp((cy + height / 2 - PadTop) * sy, 0, SourceHeight);
        return new BoundingBox(left, top, right - left, bottom - top);
    }
}
