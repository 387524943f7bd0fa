using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using StbImageSharp;
using ImageSharpConfiguration = SixLabors.ImageSharp.Configuration;

namespace Probe.Core.Images;

/// <summary>
/// Decodes PNG, JPEG, BMP, GIF (first frame) and TGA files to <see cref="RgbImage"/> with fully managed decoders
/// (images may come from anywhere, so no native codec sees them): SixLabors.ImageSharp 2.1 for PNG, BMP, GIF and TGA,
/// StbImageSharp for JPEG. Every failure is an <see cref="ImageLoadException"/> naming the file, so a caller judging a
/// folder can skip it and go on.
/// <list type="bullet">
/// <item>JPEG stays with StbImageSharp because nsfwjs runs in a browser, whose JPEG decoder is libjpeg-turbo. On
/// TestData/chelsea_420.jpg (4:2:0 chroma, with libjpeg-turbo 2.1.5's decode beside it) StbImageSharp 2.30.16 is within
/// 3 levels of libjpeg-turbo on every byte and ImageSharp 2.1.13 is 7 away; both are tested (ImageLoaderTests). Measured
/// once outside the repo on chelsea, coffee and astronaut at quality 75 and 90, ImageSharp reached 35 (its chroma
/// upsampling is not libjpeg's) while stb stayed within 3; at 4:4:4 both are within 3.</item>
/// <item>Greyscale is expanded to R=G=B and alpha is dropped, not blended (as the browser's fromPixels does for nsfwjs).
/// 16-bit PNG samples keep their high byte, as stb_image and libpng's png_set_strip_16 do (ImageSharp alone would
/// round).</item>
/// <item>Pixels are returned as stored: EXIF orientation, ICC profiles and gAMA are not applied (neither decoder
/// applies them unless asked).</item>
/// <item>A PNG critical chunk (IHDR, PLTE, IDAT, IEND) with a bad CRC is refused: ImageSharp 2.1 throws "CRC Error.
/// PNG IDAT chunk is corrupt!", reported as "PNG is corrupt: …". ImageSharp does not check the CRCs of ancillary
/// chunks (text, tRNS, gAMA, …); none of them changes the RGB pixels returned here.</item>
/// </list>
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
        return format == "JPEG" ? DecodeJpeg(data, name, maxPixels) : DecodeWithImageSharp(data, name, format, maxPixels);
    }

    static RgbImage DecodeWithImageSharp(byte[] data, string name, string format, long maxPixels)
    {
        IImageDecoder decoder = format switch
        {
            "PNG" => new PngDecoder(),
            "BMP" => new BmpDecoder(),
            "GIF" => new GifDecoder { DecodingMode = FrameDecodingMode.First },
            _ => new TgaDecoder(),
        };
        IImageInfo? info;
        try
        {
            using var probe = new MemoryStream(data, writable: false);
            info = ((IImageInfoDetector)decoder).Identify(ImageSharpConfiguration.Default, probe, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageLoadException(name, $"{format} is corrupt: {e.Message}", e);
        }
        if (info is null) throw new ImageLoadException(name, $"{format} header is corrupt or truncated");
        CheckSize(name, format, info.Width, info.Height, maxPixels);
        var sixteenBit = format == "PNG" && info.Metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16;
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            return sixteenBit ? HighBytes(decoder.Decode<Rgb48>(ImageSharpConfiguration.Default, stream, CancellationToken.None))
                : Bytes(decoder.Decode<Rgb24>(ImageSharpConfiguration.Default, stream, CancellationToken.None));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageLoadException(name, $"{format} data is corrupt or truncated: {e.Message}", e);
        }
    }

    static RgbImage Bytes(Image<Rgb24> image)
    {
        using (image)
        {
            var pixels = new byte[(long)image.Width * image.Height * 3];
            image.CopyPixelDataTo(pixels);
            return new RgbImage(image.Width, image.Height, pixels);
        }
    }

    static RgbImage HighBytes(Image<Rgb48> image)
    {
        using (image)
        {
            var wide = new Rgb48[(long)image.Width * image.Height];
            image.CopyPixelDataTo(wide);
            var pixels = new byte[wide.LongLength * 3];
            for (long i = 0; i < wide.LongLength; i++)
            {
                pixels[3 * i] = (byte)(wide[i].R >> 8);
                pixels[3 * i + 1] = (byte)(wide[i].G >> 8);
                pixels[3 * i + 2] = (byte)(wide[i].B >> 8);
            }
            return new RgbImage(image.Width, image.Height, pixels);
        }
    }

    static RgbImage DecodeJpeg(byte[] data, string name, long maxPixels)
    {
        StbImageSharp.ImageInfo? info;
        try
        {
            using var probe = new MemoryStream(data, writable: false);
            info = StbImageSharp.ImageInfo.FromStream(probe);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageLoadException(name, $"JPEG header is corrupt: {e.Message}", e);
        }
        if (info is null) throw new ImageLoadException(name, "JPEG header is corrupt or truncated");
        CheckSize(name, "JPEG", info.Value.Width, info.Value.Height, maxPixels);

        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(data, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageLoadException(name, $"JPEG data is corrupt or truncated: {e.Message}", e);
        }
        if (image?.Data is null || image.Data.Length != (long)image.Width * image.Height * 3)
            throw new ImageLoadException(name, "JPEG could not be decoded to RGB");
        return new RgbImage(image.Width, image.Height, image.Data);
    }

    static void CheckSize(string name, string format, int w, int h, long maxPixels)
    {
        if (w <= 0 || h <= 0) throw new ImageLoadException(name, $"{format} header gives an empty size {w}x{h}");
        if ((long)w * h > maxPixels)
            throw new ImageLoadException(name, $"{format} of {w}x{h} pixels exceeds the limit of {maxPixels} pixels");
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
