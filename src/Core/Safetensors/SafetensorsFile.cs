using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace Probe.Core.Safetensors;

/// <summary>
/// An open safetensors file. The header is read and validated on open; tensor data is read on demand, one tensor at a
/// time, straight from the file into the tensor's storage (no whole-file copy in managed memory), then converted to
/// the requested dtype and moved to the requested device.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    readonly SafeFileHandle _handle;
    readonly long _dataStart;

    SafetensorsFile(string path, SafeFileHandle handle, long dataStart, SafetensorsHeader header)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Header = header;
    }

    public string Path { get; }
    public SafetensorsHeader Header { get; }
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors => Header.Tensors;
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    /// <summary>Opens and validates <paramref name="path"/>; throws <see cref="SafetensorsFormatException"/> when malformed.</summary>
    public static SafetensorsFile Open(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SafetensorsFormatException(path, null, $"cannot be opened ({e.Message})", e);
        }

        try
        {
            var length = RandomAccess.GetLength(handle);
            if (length < 8)
                throw new SafetensorsFormatException(path, null, $"is {length} bytes long, too short for the 8-byte header length");
            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(handle, prefix, 0, path, null, "the header length");
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > (ulong)(length - 8))
                throw new SafetensorsFormatException(path, null, $"header length {headerLength} exceeds the file ({length} bytes): truncated or not a safetensors file");
            if (headerLength > SafetensorsHeader.MaxHeaderBytes)
                throw new SafetensorsFormatException(path, null, $"header length {headerLength} exceeds the {SafetensorsHeader.MaxHeaderBytes}-byte limit");
            if (headerLength < 2)
                throw new SafetensorsFormatException(path, null, $"header length {headerLength} is too short for a JSON object");

            var headerBytes = new byte[(int)headerLength];
            ReadExactly(handle, headerBytes, 8, path, null, "the header");
            var dataStart = 8 + (long)headerLength;
            var header = SafetensorsHeader.Parse(headerBytes, length - dataStart, path);
            return new SafetensorsFile(path, handle, dataStart, header);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads tensor <paramref name="name"/> as <paramref name="dtype"/> (default: as stored) on <paramref name="device"/>
    /// (default: CPU).
    /// </summary>
    public torch.Tensor Load(string name, torch.ScalarType? dtype = null, torch.Device? device = null)
    {
        if (!Header.Tensors.TryGetValue(name, out var info))
            throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");
        return Load(info, dtype, device);
    }

    public torch.Tensor Load(SafetensorsTensorInfo info, torch.ScalarType? dtype = null, torch.Device? device = null)
    {
        var stored = SafetensorsDTypes.ToScalarType(info.DType);
        var cpu = torch.empty(info.Shape, stored, torch.CPU);
        try
        {
            if (info.ByteLength > int.MaxValue)
            {
                // A span holds at most 2 GiB: read a larger tensor in pieces of its flattened view.
                ReadLarge(cpu, info);
            }
            else if (info.ByteLength > 0)
            {
                ReadExactly(_handle, cpu.bytes, _dataStart + info.Begin, Path, info.Name, "tensor data");
            }
            if (info.DType == SafetensorsDType.BOOL) CheckBooleans(cpu, info);

            var target = dtype ?? stored;
            var dev = device ?? torch.CPU;
            if (target == stored && dev.type == DeviceType.CPU) return cpu;
            var converted = cpu.to(target, dev);
            cpu.Dispose();
            return converted;
        }
        catch
        {
            cpu.Dispose();
            throw;
        }
    }

    void ReadLarge(torch.Tensor tensor, SafetensorsTensorInfo info)
    {
        var elementSize = SafetensorsDTypes.SizeOf(info.DType);
        var chunk = (1L << 30) / elementSize;
        var total = info.ElementCount;
        using var flat = tensor.view(-1);
        for (long done = 0; done < total; done += chunk)
        {
            var n = Math.Min(chunk, total - done);
            using var part = flat.narrow(0, done, n);
            ReadExactly(_handle, part.bytes, _dataStart + info.Begin + done * elementSize, Path, info.Name, "tensor data");
        }
    }

    /// <summary>
    /// A BOOL element is one byte, 0 or 1; any other byte is undefined behaviour in libtorch (comparisons and sums
    /// disagree), so it is refused here instead of surfacing as wrong numbers later.
    /// </summary>
    void CheckBooleans(torch.Tensor tensor, SafetensorsTensorInfo info)
    {
        var total = info.ElementCount;
        const long chunk = 1L << 30;
        using var flat = tensor.view(-1);
        for (long done = 0; done < total; done += chunk)
        {
            using var part = flat.narrow(0, done, Math.Min(chunk, total - done));
            var bytes = part.bytes;
            var i = bytes.IndexOfAnyExcept((byte)0, (byte)1);
            if (i < 0) continue;
            var at = done + i;
            var value = bytes[i];
            throw new SafetensorsFormatException(Path, info.Name, $"BOOL element {at} holds byte {value}; only 0 and 1 are valid");
        }
    }

    static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path, string? tensor, string what)
    {
        while (!buffer.IsEmpty)
        {
            var n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0) throw new SafetensorsFormatException(path, tensor, $"file ended early while reading {what}");
            buffer = buffer[n..];
            offset += n;
        }
    }

    public void Dispose() => _handle.Dispose();
}
