using System.Text.Json;
using System.Text.Unicode;

namespace Probe.Core.Safetensors;

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

    static readonly string[] DTypeNames = Enum.GetNames<SafetensorsDType>();

    SafetensorsHeader(IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Tensors by name, in header order.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The free-form <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Parses <paramref name="headerBytes"/> in place with a forward-only reader: no copy, no UTF-16 text of the whole
    /// header, no document tree, so what parsing allocates is the names, shapes and metadata the header really holds.
    /// <paramref name="dataLength"/> is the size of the data section. Throws <see cref="SafetensorsFormatException"/>
    /// naming <paramref name="file"/>.
    /// </summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> headerBytes, long dataLength, string file)
    {
        if (!Utf8.IsValid(headerBytes))
            throw new SafetensorsFormatException(file, null, "header is not valid UTF-8");
        var reader = new Utf8JsonReader(headerBytes, new JsonReaderOptions { MaxDepth = MaxJsonDepth });
        try
        {
            return ReadHeader(ref reader, dataLength, file);
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(file, null, $"header is not valid JSON ({e.Message})", e);
        }
    }

    static SafetensorsHeader ReadHeader(ref Utf8JsonReader reader, long dataLength, string file)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafetensorsFormatException(file, null, $"header must be a JSON object, found {KindOf(reader.TokenType)}");

        var tensors = new Dictionary<string, SafetensorsTensorInfo>(CountProperties(reader), StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("__metadata__"u8))
            {
                if (metadata is not null) throw new SafetensorsFormatException(file, null, "__metadata__ appears twice in the header");
                reader.Read();
                metadata = ReadMetadata(ref reader, file);
                continue;
            }
            var name = reader.GetString()!;
            reader.Read();
            if (!tensors.TryAdd(name, ReadTensor(ref reader, name, dataLength, file)))
                throw new SafetensorsFormatException(file, name, "appears twice in the header");
        }
        // Anything after the object but padding is an error the reader reports here.
        if (reader.Read())
            throw new SafetensorsFormatException(file, null, "header has content after its JSON object");

        CheckCoverage(tensors.Values, dataLength, file);
        return new SafetensorsHeader(tensors, metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
    }

    static Dictionary<string, string> ReadMetadata(ref Utf8JsonReader reader, string file)
    {
        // The reference reads an absent map and a null one alike.
        if (reader.TokenType == JsonTokenType.Null) return new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafetensorsFormatException(file, null, "__metadata__ must be an object of strings");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw new SafetensorsFormatException(file, null, $"__metadata__ value of '{key}' must be a string, found {KindOf(reader.TokenType)}");
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw new SafetensorsFormatException(file, null, $"__metadata__ key '{key}' appears twice");
        }
        return metadata;
    }

    /// <summary>
    /// Counts the properties of the object <paramref name="reader"/> (a copy) stands on, so the tensor map is sized
    /// once; a syntax error found on the way is left for the real pass to report in order.
    /// </summary>
    static int CountProperties(Utf8JsonReader reader)
    {
        var count = 0;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                count++;
                reader.Read();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return count;
    }

    /// <summary>Counts the elements of the array <paramref name="reader"/> (a copy) stands on; -1 when malformed.</summary>
    static int CountElements(Utf8JsonReader reader)
    {
        var count = 0;
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                count++;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            return -1;
        }
        return count;
    }

    /// <summary>Reads one entry, the reader on its StartObject.</summary>
    static SafetensorsTensorInfo ReadTensor(ref Utf8JsonReader reader, string name, long dataLength, string file)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafetensorsFormatException(file, name, $"entry must be an object with dtype, shape and data_offsets, found {KindOf(reader.TokenType)}");

        SafetensorsDType? dtype = null;
        long[]? shape = null;
        long elements = 1;
        (long Begin, long End)? offsets = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("dtype"u8))
            {
                if (dtype is not null) throw Twice(file, name, "dtype");
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                    throw new SafetensorsFormatException(file, name, "missing or non-string 'dtype'");
                var known = -1;
                for (var i = 0; i < DTypeNames.Length && known < 0; i++)
                    if (reader.ValueTextEquals(DTypeNames[i])) known = i;
                dtype = known >= 0
                    ? (SafetensorsDType)known
                    : throw new SafetensorsFormatException(file, name, $"unsupported dtype '{reader.GetString()}' (known: {string.Join(", ", DTypeNames)})");
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                if (shape is not null) throw Twice(file, name, "shape");
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw new SafetensorsFormatException(file, name, "missing or non-array 'shape'");
                // Sized exactly by a look-ahead, so a long shape costs 8 bytes a dimension and nothing more.
                shape = new long[Math.Max(0, CountElements(reader))];
                var rank = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var d) || d < 0 || rank == shape.Length)
                        throw new SafetensorsFormatException(file, name, $"shape entry {rank} is not a non-negative integer");
                    shape[rank++] = d;
                    // Any product beyond the data section is wrong anyway; stop before it can overflow.
                    elements = d == 0 || elements == 0 ? 0 : (elements > dataLength / d ? long.MaxValue : elements * d);
                }
            }
            else if (reader.ValueTextEquals("data_offsets"u8))
            {
                if (offsets is not null) throw Twice(file, name, "data_offsets");
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw new SafetensorsFormatException(file, name, "missing 'data_offsets' or not a [begin, end] pair");
                var begin = ReadOffset(ref reader, name, "begin", file);
                var end = ReadOffset(ref reader, name, "end", file);
                reader.Read();
                if (reader.TokenType != JsonTokenType.EndArray)
                    throw new SafetensorsFormatException(file, name, "missing 'data_offsets' or not a [begin, end] pair");
                offsets = (begin, end);
            }
            else
            {
                // Unknown fields are ignored, as the reference does.
                reader.Read();
                reader.Skip();
            }
        }

        if (dtype is not { } type) throw new SafetensorsFormatException(file, name, "missing or non-string 'dtype'");
        if (shape is null) throw new SafetensorsFormatException(file, name, "missing or non-array 'shape'");
        if (offsets is not var (first, last)) throw new SafetensorsFormatException(file, name, "missing 'data_offsets' or not a [begin, end] pair");
        if (last < first)
            throw new SafetensorsFormatException(file, name, $"data_offsets end {last} is before begin {first}");
        if (last > dataLength)
            throw new SafetensorsFormatException(file, name, $"data_offsets [{first},{last}] run past the data section ({dataLength} bytes): file truncated?");

        var size = SafetensorsDTypes.SizeOf(type);
        var expected = elements == long.MaxValue || elements > long.MaxValue / size ? long.MaxValue : elements * size;
        if (expected != last - first)
            throw new SafetensorsFormatException(file, name,
                $"shape [{string.Join(",", shape)}] of {type} needs {(expected == long.MaxValue ? "more than the file's" : expected.ToString())} bytes, data_offsets span {last - first}");

        return new SafetensorsTensorInfo(name, type, shape, first, last);
    }

    static long ReadOffset(ref Utf8JsonReader reader, string name, string which, string file)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0)
            throw new SafetensorsFormatException(file, name, $"data_offsets {which} is not a non-negative integer");
        return value;
    }

    static SafetensorsFormatException Twice(string file, string name, string field) =>
        new(file, name, $"field '{field}' appears twice in the entry");

    static string KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "Object",
        JsonTokenType.StartArray => "Array",
        JsonTokenType.String => "String",
        JsonTokenType.Number => "Number",
        JsonTokenType.True => "True",
        JsonTokenType.False => "False",
        JsonTokenType.Null => "Null",
        _ => token.ToString(),
    };

    static void CheckCoverage(IEnumerable<SafetensorsTensorInfo> tensors, long dataLength, string file)
    {
        var sorted = tensors.ToArray();
        Array.Sort(sorted, static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        SafetensorsTensorInfo? previous = null;
        foreach (var t in sorted)
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
