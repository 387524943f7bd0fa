using System.Text;
using System.Text.Json;

namespace Probe.Diffusion.Safetensors;

/// <summary>
/// The parsed and fully validated JSON header of a safetensors file. Validation follows the reference implementation
/// (huggingface/safetensors): known dtypes, shape × element size equal to the offsets' span, offsets inside the data
/// section, and tensors covering the data section back to back with no overlap and no hole.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>Headers larger than this are refused before anything is read (the reference uses the same cap).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>JSON nesting allowed: the format needs 3 levels; deeper documents are hostile or broken.</summary>
    const int MaxJsonDepth = 8;

    SafetensorsHeader(IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Tensors by name, in header order.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The free-form <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Parses <paramref name="headerBytes"/>; <paramref name="dataLength"/> is the size of the data section.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> headerBytes, long dataLength, string file)
    {
        string json;
        try
        {
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new SafetensorsFormatException(file, null, "header is not valid UTF-8", e);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.TrimEnd(' '), new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(file, null, $"header is not valid JSON ({e.Message})", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(file, null, $"header must be a JSON object, found {doc.RootElement.ValueKind}");

            var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafetensorsFormatException(file, property.Name, "appears twice in the header");
                if (property.Name == "__metadata__")
                    ReadMetadata(property.Value, metadata, file);
                else
                    tensors.Add(property.Name, ReadTensor(property.Name, property.Value, dataLength, file));
            }
            CheckCoverage(tensors.Values, dataLength, file);
            return new SafetensorsHeader(tensors, metadata);
        }
    }

    static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(file, null, "__metadata__ must be an object of strings");
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(file, null, $"__metadata__ value of '{entry.Name}' must be a string, found {entry.Value.ValueKind}");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new SafetensorsFormatException(file, null, $"__metadata__ key '{entry.Name}' appears twice");
        }
    }

    static SafetensorsTensorInfo ReadTensor(string name, JsonElement value, long dataLength, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(file, name, $"entry must be an object with dtype, shape and data_offsets, found {value.ValueKind}");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException(file, name, "missing or non-string 'dtype'");
        var dtypeText = dtypeElement.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeText, out var dtype))
            throw new SafetensorsFormatException(file, name, $"unsupported dtype '{dtypeText}' (known: {string.Join(", ", Enum.GetNames<SafetensorsDType>())})");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(file, name, "missing or non-array 'shape'");
        var shape = new long[shapeElement.GetArrayLength()];
        long elements = 1;
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var d) || d < 0)
                throw new SafetensorsFormatException(file, name, $"shape entry {i} is not a non-negative integer");
            shape[i++] = d;
            // Any product beyond the data section is wrong anyway; stop before it can overflow.
            elements = d == 0 || elements == 0 ? 0 : (elements > dataLength / d ? long.MaxValue : elements * d);
        }

        if (!value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array ||
            offsetsElement.GetArrayLength() != 2)
            throw new SafetensorsFormatException(file, name, "missing 'data_offsets' or not a [begin, end] pair");
        var begin = ReadOffset(offsetsElement[0], name, "begin", file);
        var end = ReadOffset(offsetsElement[1], name, "end", file);
        if (end < begin)
            throw new SafetensorsFormatException(file, name, $"data_offsets end {end} is before begin {begin}");
        if (end > dataLength)
            throw new SafetensorsFormatException(file, name, $"data_offsets [{begin},{end}] run past the data section ({dataLength} bytes): file truncated?");

        var size = SafetensorsDTypes.SizeOf(dtype);
        var expected = elements == long.MaxValue || elements > long.MaxValue / size ? long.MaxValue : elements * size;
        if (expected != end - begin)
            throw new SafetensorsFormatException(file, name,
                $"shape [{string.Join(",", shape)}] of {dtype} needs {(expected == long.MaxValue ? "more than the file's" : expected.ToString())} bytes, data_offsets span {end - begin}");

        return new SafetensorsTensorInfo(name, dtype, shape, begin, end);
    }

    static long ReadOffset(JsonElement element, string name, string which, string file)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var value) || value < 0)
            throw new SafetensorsFormatException(file, name, $"data_offsets {which} is not a non-negative integer");
        return value;
    }

    static void CheckCoverage(IEnumerable<SafetensorsTensorInfo> tensors, long dataLength, string file)
    {
        long expected = 0;
        SafetensorsTensorInfo? previous = null;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin < expected)
                throw new SafetensorsFormatException(file, t.Name, $"data_offsets [{t.Begin},{t.End}] overlap tensor '{previous!.Name}' [{previous.Begin},{previous.End}]");
            if (t.Begin > expected)
                throw new SafetensorsFormatException(file, t.Name, $"leaves a hole of {t.Begin - expected} bytes before it in the data section");
            expected = t.End;
            previous = t;
        }
        if (expected != dataLength)
            throw new SafetensorsFormatException(file, null, $"data section has {dataLength} bytes but the tensors cover {expected}");
    }
}
