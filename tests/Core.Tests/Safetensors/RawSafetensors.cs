using System.Buffers.Binary;
using System.Text;

namespace Probe.Tests.Safetensors;

/// <summary>Builds safetensors bytes by hand, so tests can say exactly what is wrong with a file.</summary>
public static class RawSafetensors
{
    /// <summary>The 8-byte little-endian header length, the header bytes, then the data.</summary>
    public static byte[] Build(ReadOnlySpan<byte> header, ReadOnlySpan<byte> data, ulong? claimedHeaderLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedHeaderLength ?? (ulong)header.Length);
        header.CopyTo(bytes.AsSpan(8));
        data.CopyTo(bytes.AsSpan(8 + header.Length));
        return bytes;
    }

    public static byte[] Build(string headerJson, ReadOnlySpan<byte> data) => Build(Encoding.UTF8.GetBytes(headerJson), data);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> and returns the path.</summary>
    public static string WriteTo(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
