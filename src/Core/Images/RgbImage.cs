using System.Security.Cryptography;
using static TorchSharp.torch;

namespace Probe.Core.Images;

/// <summary>An 8-bit RGB image: <see cref="Width"/> × <see cref="Height"/> pixels, row-major, R,G,B interleaved (HWC).</summary>
public sealed record RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if ((long)width * height * 3 != pixels.LongLength)
            throw new ArgumentException($"an RGB image of {width}x{height} needs {(long)width * height * 3} bytes, got {pixels.LongLength}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>H*W*3 bytes, row-major, R,G,B interleaved.</summary>
    public byte[] Pixels { get; }

    /// <summary>SHA-256 of the raw RGB bytes (lower-case hex), the same as nsfwjs's fixture manifests' rgb_sha256.</summary>
    public string Sha256() => Convert.ToHexStringLower(SHA256.HashData(Pixels));

    /// <summary>
    /// Rounds a float batch [N,3,H,W] with values in [0,1] (any device, any floating dtype) to 8-bit images the way
    /// diffusers saves them: clamp to [0,1], ×255, round half to even.
    /// </summary>
    public static RgbImage[] FromTensorBatch(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Dimensions != 4 || images.shape[1] != 3)
            throw new ArgumentException($"expected an image batch [N,3,H,W], got [{string.Join(",", images.shape)}]", nameof(images));
        if (!is_floating_point(images))
            throw new ArgumentException($"expected a floating-point image batch with values in [0,1], got {images.dtype}", nameof(images));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var n = (int)images.shape[0];
        var h = (int)images.shape[2];
        var w = (int)images.shape[3];
        var bytes = images.detach().to(ScalarType.Float32).clamp(0, 1).mul(255).round()
            .to(ScalarType.Byte).permute(0, 2, 3, 1).contiguous().cpu();
        var all = bytes.data<byte>().ToArray();
        var size = h * w * 3;
        var result = new RgbImage[n];
        for (var i = 0; i < n; i++) result[i] = new RgbImage(w, h, all.AsSpan(i * size, size).ToArray());
        return result;
    }

    /// <summary>The image as a float tensor [3,H,W] with values pixel/255 (for callers that want tensors back).</summary>
    public Tensor ToTensor(Device? device = null)
    {
        using var scope = NewDisposeScope();
        var t = tensor(Pixels, [Height, Width, 3]).to(ScalarType.Float32).div(255f).permute(2, 0, 1).contiguous();
        return (device is null ? t : t.to(device)).MoveToOuterDisposeScope();
    }
}
