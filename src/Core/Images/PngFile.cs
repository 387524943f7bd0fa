using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Probe.Core.Images;

/// <summary>
/// Writes 8-bit RGB PNG files with text chunks (tEXt when the text is Latin-1, iTXt otherwise), atomically, and reads
/// the text chunks back. Pixel decoding of arbitrary PNGs is the judges' business; this is for Probe's own images.
/// </summary>
public static class PngFile
{
    static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Writes <paramref name="rgb"/> (H·W·3 bytes, row-major) with the given text chunks to <paramref name="path"/>.</summary>
    public static void Write(string path, int width, int height, ReadOnlySpan<byte> rgb, IReadOnlyDictionary<string, string>? text = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} is empty");
        if (rgb.Length != checked(width * height * 3)) throw new ArgumentException($"{rgb.Length} bytes given for a {width}x{height} RGB image");

        using var buffer = new MemoryStream();
        buffer.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type: RGB
        WriteChunk(buffer, "IHDR", ihdr);
        foreach (var (key, value) in text ?? new Dictionary<string, string>())
            WriteTextChunk(buffer, key, value);
        WriteChunk(buffer, "IDAT", Compress(width, height, rgb));
        WriteChunk(buffer, "IEND", []);

        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp");
        try
        {
            File.WriteAllBytes(temp, buffer.ToArray());
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads the tEXt, iTXt and zTXt chunks of a PNG file (checking signature and CRCs).</summary>
    public static IReadOnlyDictionary<string, string> ReadText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(Signature))
            throw new InvalidDataException($"{path}: not a PNG file");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = 8;
        while (at + 12 <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            if (length < 0 || at + 12L + length > bytes.Length) throw new InvalidDataException($"{path}: chunk at byte {at} runs past the file");
            var type = Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 8 + length));
            if (crc != Crc32.Compute(bytes.AsSpan(at + 4, 4), data)) throw new InvalidDataException($"{path}: {type} chunk has a bad CRC");
            switch (type)
            {
                case "tEXt":
                {
                    var zero = data.IndexOf((byte)0);
                    if (zero > 0) result[Encoding.Latin1.GetString(data[..zero])] = Encoding.Latin1.GetString(data[(zero + 1)..]);
                    break;
                }
                case "zTXt":
                {
                    var zero = data.IndexOf((byte)0);
                    if (zero > 0) result[Encoding.Latin1.GetString(data[..zero])] = Encoding.Latin1.GetString(Inflate(data[(zero + 2)..]));
                    break;
                }
                case "iTXt":
                    ReadInternationalText(data, result);
                    break;
                case "IEND":
                    return result;
            }
            at += 12 + length;
        }
        return result;
    }

    static void ReadInternationalText(ReadOnlySpan<byte> data, Dictionary<string, string> result)
    {
        var zero = data.IndexOf((byte)0);
        if (zero <= 0 || zero + 3 > data.Length) return;
        var key = Encoding.Latin1.GetString(data[..zero]);
        var compressed = data[zero + 1] == 1;
        var rest = data[(zero + 3)..];
        var langEnd = rest.IndexOf((byte)0);
        if (langEnd < 0) return;
        rest = rest[(langEnd + 1)..];
        var transEnd = rest.IndexOf((byte)0);
        if (transEnd < 0) return;
        var payload = rest[(transEnd + 1)..];
        result[key] = Encoding.UTF8.GetString(compressed ? Inflate(payload) : payload);
    }

    static byte[] Inflate(ReadOnlySpan<byte> data)
    {
        using var input = new MemoryStream(data.ToArray());
        using var z = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        z.CopyTo(output);
        return output.ToArray();
    }

    static void WriteTextChunk(Stream s, string key, string value)
    {
        if (key.Length is 0 or > 79 || key.Any(c => c > 255 || c == 0))
            throw new ArgumentException($"PNG text key '{key}' must be 1-79 Latin-1 characters");
        var latin1 = value.All(c => c is >= ' ' and <= '\u00ff' or '\n');
        using var chunk = new MemoryStream();
        chunk.Write(Encoding.Latin1.GetBytes(key));
        chunk.WriteByte(0);
        if (latin1)
        {
            chunk.Write(Encoding.Latin1.GetBytes(value));
            WriteChunk(s, "tEXt", chunk.ToArray());
        }
        else
        {
            chunk.Write([0, 0, 0, 0]);   // not compressed, method 0, empty language tag, empty translated keyword
            chunk.Write(Encoding.UTF8.GetBytes(value));
            WriteChunk(s, "iTXt", chunk.ToArray());
        }
    }

    static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header[4..]);
        s.Write(header);
        s.Write(data);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.Compute(header[4..], data));
        s.Write(crc);
    }

    /// <summary>zlib stream of filtered scanlines; each row takes the PNG filter with the smallest absolute sum (libpng's heuristic).</summary>
    static byte[] Compress(int width, int height, ReadOnlySpan<byte> rgb)
    {
        var stride = width * 3;
        var filtered = new byte[height * (stride + 1)];
        var candidate = new byte[stride];
        var best = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var row = rgb.Slice(y * stride, stride);
            var prev = y > 0 ? rgb.Slice((y - 1) * stride, stride) : default;
            long bestScore = long.MaxValue;
            byte bestType = 0;
            for (byte type = 0; type < 5; type++)
            {
                long score = 0;
                for (var i = 0; i < stride; i++)
                {
                    int a = i >= 3 ? row[i - 3] : 0, b = y > 0 ? prev[i] : 0, c = i >= 3 && y > 0 ? prev[i - 3] : 0;
                    var predictor = type switch
                    {
                        0 => 0,
                        1 => a,
                        2 => b,
                        3 => (a + b) / 2,
                        _ => Paeth(a, b, c),
                    };
                    var v = (byte)(row[i] - predictor);
                    candidate[i] = v;
                    score += v < 128 ? v : 256 - v;
                }
                if (score < bestScore)
                {
                    bestScore = score;
                    bestType = type;
                    candidate.CopyTo(best, 0);
                }
            }
            filtered[y * (stride + 1)] = bestType;
            best.CopyTo(filtered, y * (stride + 1) + 1);
        }
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) z.Write(filtered);
        return output.ToArray();
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
