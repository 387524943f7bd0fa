using StbImageSharp;

namespace Probe.Core.Images;

/// <summary>
/// Decodes PNG, JPEG, BMP, GIF (first frame) and TGA files to <see cref="RgbImage"/> with StbImageSharp, a fully
/// managed decoder: images may come from anywhere, so no native codec sees them. Greyscale is expanded to R=G=B and
/// alpha is dropped (as the browser's fromPixels does for nsfwjs). Every failure is an <see cref="ImageLoadException"/>
/// naming the file, so a caller judging a folder can skip it and go on.
/// </summary>
public static class ImageLoader
{
    /// <summary>Images larger than this many pixels are refused before decoding (a guard against decompression bombs).</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>Files larger than this are refused unread.</summary>
    public const long MaxFileBytes = 512L * 1024 * 1024;

    public static RgbImage Load(string path, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] data;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new ImageLoadException(path, "file not found");
            if (info.Length > MaxFileBytes) throw new ImageLoadException(path, $"file is {info.Length} bytes, more than the {MaxFileBytes} accepted");
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException(path, $"cannot be read: {e.Message}", e);
        }
        return Decode(data, path, maxPixels);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="name"/> is used in error messages.</summary>
    public static RgbImage Decode(byte[] data, string name, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0) throw new ImageLoadException(name, "file is empty");
        var format = Sniff(data);
        if (format is null)
            throw new ImageLoadException(name, "not a PNG, JPEG, BMP, GIF or TGA image (unrecognised file signature)");

        ImageInfo? info;
        try
        {
            using var probe = new MemoryStream(data, writable: false);
            info = ImageInfo.FromStream(probe);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageLoadException(name, $"{format} header is corrupt: {e.Message}", e);
        }
        if (info is null) throw new ImageLoadException(name, $"{format} header is corrupt or truncated");
        var (w, h) = (info.Value.Width, info.Value.Height);
        if (w <= 0 || h <= 0) throw new ImageLoadException(name, $"{format} header gives an empty size {w}x{h}");
        if ((long)w * h > maxPixels)
            throw new ImageLoadException(name, $"{format} of {w}x{h} pixels exceeds the limit of {maxPixels} pixels");

        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(data, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageLoadException(name, $"{format} data is corrupt or truncated: {e.Message}", e);
        }
        if (image?.Data is null || image.Data.Length != (long)image.Width * image.Height * 3)
            throw new ImageLoadException(name, $"{format} could not be decoded to RGB");
        return new RgbImage(image.Width, image.Height, image.Data);
    }

    static string? Sniff(ReadOnlySpan<byte> d)
    {
        if (d.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])) return "PNG";
        if (d.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "JPEG";
        if (d.StartsWith("BM"u8)) return "BMP";
        if (d.StartsWith("GIF8"u8)) return "GIF";
        // TGA has no signature; accept it only by its mandatory header layout (image type 2, 3 or 10/11, 8–32 bpp).
        if (d.Length > 18 && d[1] <= 1 && d[2] is 2 or 3 or 10 or 11 && d[16] is 8 or 16 or 24 or 32) return "TGA";
        return null;
    }
}
