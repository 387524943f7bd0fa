using static TorchSharp.torch;

namespace Probe.Core.Images;

/// <summary>Conversions between image tensors ([3,H,W] floats in [0,1]) and 8-bit RGB bytes, rounding as diffusers does.</summary>
public static class ImageTensors
{
    /// <summary>
    /// [3,H,W] in [0,1] → H·W·3 bytes, rounded by the one rule every image path shares
    /// (<see cref="RgbImage.FromTensorBatch"/>: clamp, ×255, round half to even, as diffusers' <c>numpy_to_pil</c>), so a
    /// saved PNG and a judged tensor hold the same pixels.
    /// </summary>
    public static byte[] ToRgbBytes(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"expected an image tensor [3,H,W], got [{string.Join(",", image.shape)}]", nameof(image));
        using var scope = NewDisposeScope();
        return RgbImage.FromTensorBatch(image.unsqueeze(0))[0].Pixels;
    }

    /// <summary>H·W·3 bytes → [3,H,W] float32 in [0,1].</summary>
    public static Tensor FromRgbBytes(byte[] rgb, int width, int height)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException($"{rgb.Length} bytes for a {width}x{height} RGB image", nameof(rgb));
        using var scope = NewDisposeScope();
        var hwc = tensor(rgb, dtype: ScalarType.Byte).reshape(height, width, 3);
        return (hwc.permute(2, 0, 1).to(ScalarType.Float32) / 255f).MoveToOuterDisposeScope();
    }

    /// <summary>Writes image [3,H,W] in [0,1] as a PNG with the given text chunks (atomic).</summary>
    public static void SavePng(string path, Tensor image, IReadOnlyDictionary<string, string>? text = null) =>
        PngFile.Write(path, (int)image.shape[2], (int)image.shape[1], ToRgbBytes(image), text ?? new Dictionary<string, string>());
}
