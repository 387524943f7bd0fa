using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Probe.Core.Safetensors;

/// <summary>Writes tensors to a safetensors file atomically (temp file, then rename), header keys sorted as the reference does.</summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors,
                             IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var duplicate = ordered.GroupBy(t => t.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"tensor name '{duplicate.Key}' given twice", nameof(tensors));
        if (ordered.Any(t => t.Key == "__metadata__"))
            throw new ArgumentException("'__metadata__' is reserved for the metadata map and cannot name a tensor", nameof(tensors));

        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            var dtype = SafetensorsDTypes.FromScalarType(tensor.dtype);
            var bytes = tensor.numel() * SafetensorsDTypes.SizeOf(dtype);
            header[name] = new
            {
                dtype = dtype.ToString(),
                shape = tensor.shape,
                data_offsets = new[] { offset, offset + bytes },
            };
            offset += bytes;
        }

        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        // Pad with spaces to 8-byte alignment, as the reference writer does, so data starts aligned.
        var padded = (json.Length + 7) / 8 * 8;
        var headerBytes = new byte[padded];
        json.CopyTo(headerBytes, 0);
        headerBytes.AsSpan(json.Length).Fill((byte)' ');

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerBytes.Length);
                stream.Write(prefix);
                stream.Write(headerBytes);
                foreach (var (_, tensor) in ordered)
                {
                    using var scope = torch.NewDisposeScope();
                    WriteData(stream, tensor.detach().to(torch.CPU).contiguous());
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    static void WriteData(Stream stream, torch.Tensor cpu)
    {
        var total = cpu.numel();
        if (total == 0) return;
        var elementSize = SafetensorsDTypes.SizeOf(SafetensorsDTypes.FromScalarType(cpu.dtype));
        if (total * elementSize <= int.MaxValue)
        {
            stream.Write(cpu.bytes);
            return;
        }
        // A span holds at most 2 GiB: write a larger tensor in pieces of its flattened view.
        var chunk = (1L << 30) / elementSize;
        var flat = cpu.view(-1);
        for (long done = 0; done < total; done += chunk)
            stream.Write(flat.narrow(0, done, Math.Min(chunk, total - done)).bytes);
    }
}
