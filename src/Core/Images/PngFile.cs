using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using ImageSharpConfiguration = SixLabors.ImageSharp.Configuration;

namespace Probe.Core.Images;

/// <summary>
/// Probe's one PNG writer (8-bit RGB with text chunks, via SixLabors.ImageSharp 2.1) and reader of PNG text chunks.
/// Text is written uncompressed, as before the move to ImageSharp: tEXt when every character is Latin-1, iTXt (UTF-8)
/// otherwise (ImageSharp's rule: a value with a character above U+00FF). A1111 and ComfyUI read both through Pillow;
/// many metadata viewers read tEXt and iTXt without inflating. Control characters such as tab stay in tEXt, where PNG
/// leaves them undefined and Pillow reads them back unchanged (Probe's writer before ImageSharp put them in iTXt).
/// Decoding pixels of arbitrary images is <see cref="ImageLoader"/>'s business.
/// </summary>
public static class PngFile
{
    /// <summary>
    /// Fixed settings, so the same pixels and text always give the same bytes (an interrupted and resumed eval run writes
    /// the files an uninterrupted one does): ImageSharp's adaptive filter per row (libpng's minimum-sum heuristic),
    /// zlib level 6, no interlacing. pHYs, gAMA and eXIf are left out (ImageSharp would add pHYs from its default
    /// 96 dpi metadata); the chunks are IHDR, the text chunks, IDAT, IEND.
    /// </summary>
    static readonly PngEncoder Encoder = new()
    {
        ColorType = PngColorType.Rgb,
        BitDepth = PngBitDepth.Bit8,
        FilterMethod = PngFilterMethod.Adaptive,
        CompressionLevel = PngCompressionLevel.Level6,
        InterlaceMethod = PngInterlaceMode.None,
        // ImageSharp 2.1 compresses text longer than this (default 1024 characters) into zTXt / compressed iTXt.
        TextCompressionThreshold = int.MaxValue,
        ChunkFilter = PngChunkFilter.ExcludePhysicalChunk | PngChunkFilter.ExcludeGammaChunk | PngChunkFilter.ExcludeExifChunk,
    };

    /// <summary>Writes <paramref name="rgb"/> (H·W·3 bytes, row-major) with the given text chunks to <paramref name="path"/>, atomically (temp file and rename).</summary>
    public static void Write(string path, int width, int height, ReadOnlySpan<byte> rgb, IReadOnlyDictionary<string, string>? text = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Encode(width, height, rgb, text);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The PNG file's bytes for <paramref name="image"/> with the given text chunks (e.g. for a data URI).</summary>
    public static byte[] Encode(RgbImage image, IReadOnlyDictionary<string, string>? text = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Encode(image.Width, image.Height, image.Pixels, text);
    }

    /// <summary>The PNG file's bytes for <paramref name="rgb"/> (H·W·3 bytes, row-major) with the given text chunks.</summary>
    public static byte[] Encode(int width, int height, ReadOnlySpan<byte> rgb, IReadOnlyDictionary<string, string>? text = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} is empty");
        if (rgb.Length != checked(width * height * 3)) throw new ArgumentException($"{rgb.Length} bytes given for a {width}x{height} RGB image");
        using var image = Image.LoadPixelData<Rgb24>(rgb, width, height);
        var png = image.Metadata.GetPngMetadata();
        foreach (var (key, value) in text ?? new Dictionary<string, string>())
        {
            // ImageSharp 2.1 writes any non-empty keyword, even ones PNG forbids (over 79 characters, non-Latin-1 ones as '?').
            if (key.Length is 0 or > 79 || key.Any(c => c is < ' ' or > '\u00ff'))
                throw new ArgumentException($"PNG text key '{key}' must be 1-79 printable Latin-1 characters");
            // Empty language tag and translated keyword: ImageSharp then writes tEXt for Latin-1 values, iTXt otherwise.
            png.TextData.Add(new PngTextData(key, value, languageTag: string.Empty, translatedKeyword: string.Empty));
        }
        using var output = new MemoryStream();
        image.Save(output, Encoder);
        return output.ToArray();
    }

    /// <summary>
    /// Reads the tEXt, zTXt and iTXt chunks of a PNG file (a later chunk with the same key wins). ImageSharp 2.1 checks
    /// the CRCs of the critical chunks (a bad one is an <see cref="InvalidDataException"/>) but not of the text chunks,
    /// which are returned as stored.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadText(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        IImageInfo? info;
        try
        {
            using var stream = File.OpenRead(path);
            var signature = new byte[8];
            if (stream.ReadAtLeast(signature, 8, throwOnEndOfStream: false) < 8 || !signature.AsSpan().SequenceEqual(PngSignature))
                throw new InvalidDataException($"{path}: not a PNG file");
            stream.Position = 0;
            info = new PngDecoder().Identify(ImageSharpConfiguration.Default, stream, CancellationToken.None);
        }
        catch (Exception e) when (e is ImageFormatException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        if (info is null) throw new InvalidDataException($"{path}: not a PNG file");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in info.Metadata.GetPngMetadata().TextData) result[chunk.Keyword] = chunk.Value;
        return result;
    }

    static ReadOnlySpan<byte> PngSignature => [137, 80, 78, 71, 13, 10, 26, 10];
}
