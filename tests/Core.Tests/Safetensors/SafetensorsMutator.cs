using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace Probe.Tests.Safetensors;

/// <summary>
/// Turns valid safetensors files into (mostly) malformed ones, deterministically from a seed: truncation, bit flips,
/// forged header lengths, structural JSON edits (dtypes, shapes, offsets, overlaps, duplicates, missing and extra
/// fields), deep and huge JSON, invalid UTF-8, data-section edits, splices of two files and plain random bytes.
/// </summary>
public sealed class SafetensorsMutator(IReadOnlyList<byte[]> seeds, int seed)
{
    readonly Random _random = new(seed);

    /// <summary>The mutation families, in the order <see cref="Next"/> cycles through them.</summary>
    public static readonly string[] Kinds =
    [
        "truncate", "bit-flip", "header-bit-flip", "header-length", "dtype", "shape", "offsets", "entry-fields",
        "duplicate-key", "metadata", "deep-json", "huge-json", "non-utf8", "header-text", "data-section", "splice", "random",
    ];

    /// <summary>The <paramref name="index"/>-th mutation: its family and the bytes of the file.</summary>
    public (string Kind, byte[] Bytes) Next(int index)
    {
        var kind = Kinds[index % Kinds.Length];
        var source = seeds[_random.Next(seeds.Count)];
        return (kind, kind switch
        {
            "truncate" => source[.._random.Next(source.Length)],
            "bit-flip" => FlipBits(source, 0, source.Length),
            "header-bit-flip" => FlipBits(source, 0, 8 + HeaderLength(source)),
            "header-length" => ForgeHeaderLength(source),
            "dtype" => EditEntry(source, (e, _) => e["dtype"] = Pick<JsonNode?>(
                "F8_E4M3", "f32", "", "F32 ", "I128", "U16", "C64", "float32", 123, null, Pick("F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"))),
            "shape" => EditEntry(source, (e, _) => e["shape"] = MutateShape(e["shape"]!.AsArray())),
            "offsets" => EditEntry(source, MutateOffsets),
            "entry-fields" => EditEntry(source, MutateFields),
            "duplicate-key" => DuplicateKey(source),
            "metadata" => EditHeader(source, h => h["__metadata__"] = Pick<JsonNode?>(
                new JsonObject { ["n"] = 3 }, new JsonObject { ["o"] = new JsonObject() }, new JsonArray("a"), "text", null,
                new JsonObject { ["k"] = "v", ["x"] = true })),
            "deep-json" => DeepJson(source),
            "huge-json" => HugeJson(source),
            "non-utf8" => NonUtf8(source),
            "header-text" => HeaderText(source),
            "data-section" => DataSection(source),
            "splice" => Splice(source, seeds[_random.Next(seeds.Count)]),
            "random" => RandomBytes(),
            _ => throw new InvalidOperationException(kind),
        });
    }

    static int HeaderLength(byte[] file) => (int)BinaryPrimitives.ReadUInt64LittleEndian(file);

    static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        var n = HeaderLength(file);
        return (JsonNode.Parse(file.AsSpan(8, n))!.AsObject(), file[(8 + n)..]);
    }

    static byte[] Join(string header, byte[] data) => RawSafetensors.Build(header, data);

    T Pick<T>(params T[] options) => options[_random.Next(options.Length)];

    byte[] FlipBits(byte[] source, int from, int to)
    {
        var bytes = (byte[])source.Clone();
        for (var i = 1 + _random.Next(8); i > 0; i--)
            bytes[_random.Next(from, to)] ^= (byte)(1 << _random.Next(8));
        return bytes;
    }

    byte[] ForgeHeaderLength(byte[] source)
    {
        var bytes = (byte[])source.Clone();
        ulong real = (ulong)HeaderLength(source), length = (ulong)source.Length;
        var forged = Pick(0UL, 1UL, 2UL, real - 1, real + 1, real + 8, real - 8, length, length - 8, length - 7,
            (ulong)long.MaxValue, ulong.MaxValue, 1UL << 63, 1UL << 32, 100_000_001UL, (ulong)_random.NextInt64());
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, forged);
        return bytes;
    }

    byte[] EditHeader(byte[] source, Action<JsonObject> edit)
    {
        var (header, data) = Split(source);
        edit(header);
        return Join(header.ToJsonString(), data);
    }

    byte[] EditEntry(byte[] source, Action<JsonObject, JsonObject> edit) => EditHeader(source, header =>
    {
        var names = header.Select(p => p.Key).Where(k => k != "__metadata__").ToArray();
        if (names.Length == 0)
        {
            header["x"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(1), ["data_offsets"] = new JsonArray(0, 4) };
            names = ["x"];
        }
        edit(header[Pick(names)]!.AsObject(), header);
    });

    JsonNode MutateShape(JsonArray shape)
    {
        var dims = shape.Select(d => d!.GetValue<long>()).ToList();
        switch (_random.Next(9))
        {
            case 0: dims.Add(Pick(0L, 1, 2, 3)); break;
            case 1: if (dims.Count > 0) dims.RemoveAt(_random.Next(dims.Count)); else dims.Add(2); break;
            case 2: if (dims.Count > 0) dims[_random.Next(dims.Count)] = -dims[^1] - 1; else dims.Add(-1); break;
            case 3: dims = [1L << 40, 1L << 40, 1L << 40]; break;
            case 4: return new JsonArray(1.5, 2);
            case 5: return new JsonArray("2", 3);
            case 6: return JsonNode.Parse("[99999999999999999999999]")!;
            case 7: return Pick<JsonNode>("2", 2, new JsonObject());
            default: dims = dims.Select(d => d * 2).ToList(); break;
        }
        return new JsonArray(dims.Select(d => (JsonNode?)d).ToArray());
    }

    void MutateOffsets(JsonObject entry, JsonObject header)
    {
        var offsets = entry["data_offsets"]!.AsArray();
        long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
        var other = header.Where(p => p.Key != "__metadata__" && p.Value != entry).Select(p => p.Value!.AsObject()).FirstOrDefault();
        entry["data_offsets"] = _random.Next(10) switch
        {
            0 => new JsonArray(end, begin),
            1 => new JsonArray(begin + 1, end + 1),
            2 => new JsonArray(begin - 1, end - 1),
            3 => new JsonArray(-1, end),
            4 => new JsonArray(begin, end + (1L << 40)),
            5 => other is null ? new JsonArray(0, 0) : other["data_offsets"]!.DeepClone(), // overlaps a neighbour exactly
            6 => new JsonArray(begin),
            7 => new JsonArray(begin, end, end),
            8 => JsonNode.Parse($"[{begin}.0, 1e30]"),
            _ => new JsonArray(0, end - begin), // moved onto the first tensor's bytes
        };
    }

    void MutateFields(JsonObject entry, JsonObject header)
    {
        switch (_random.Next(5))
        {
            case 0: entry.Remove(Pick("dtype", "shape", "data_offsets")); break;
            case 1: entry["extra"] = "field"; break;
            case 2:
                var name = header.First(p => p.Value == entry).Key;
                header[name] = Pick<JsonNode?>(null, 1, "tensor", new JsonArray());
                break;
            case 3: header[""] = entry.DeepClone(); break;
            default: header["more"] = new JsonObject { ["dtype"] = "U8", ["shape"] = new JsonArray(0), ["data_offsets"] = new JsonArray(0, 0) }; break;
        }
    }

    byte[] DuplicateKey(byte[] source)
    {
        var (header, data) = Split(source);
        var entries = header.Where(p => p.Key != "__metadata__").ToArray();
        var json = header.ToJsonString();
        if (entries.Length == 0) return Join(json[..^1] + ",\"__metadata__\":{}}", data);
        var (name, value) = entries[_random.Next(entries.Length)];
        // Text-level, since a JSON object model cannot hold a key twice.
        var duplicate = _random.Next(2) == 0
            ? $",\"{name}\":{value!.ToJsonString()}}}"
            : $",\"{name}\":{value!.ToJsonString()[..^1]},\"dtype\":\"U8\"}}}}";
        return Join(json[..^1] + duplicate, data);
    }

    byte[] DeepJson(byte[] source)
    {
        var (header, data) = Split(source);
        var depth = Pick(7, 8, 9, 64, 10_000, 100_000);
        var open = Pick('[', '{');
        var nested = open == '['
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        var json = header.ToJsonString();
        return Join(json[..^1] + $",\"deep\":{nested}}}", data);
    }

    byte[] HugeJson(byte[] source)
    {
        var (header, data) = Split(source);
        var count = Pick(1_000, 10_000);
        var sb = new StringBuilder(header.ToJsonString()[..^1]);
        switch (_random.Next(3))
        {
            case 0: // many zero-size tensors, the last one wrong
                for (var i = 0; i < count; i++) sb.Append($",\"z{i}\":{{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}");
                sb.Append(",\"z0\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}");
                break;
            case 1: // one enormous string value
                sb.Append(",\"__metadata__\":{\"blob\":\"").Append('x', count * 50).Append("\"}");
                break;
            default: // a long shape of ones
                sb.Append(",\"long\":{\"dtype\":\"U8\",\"shape\":[").Append(string.Join(",", Enumerable.Repeat("1", count))).Append("],\"data_offsets\":[0,1]}");
                break;
        }
        return Join(sb.Append('}').ToString(), data);
    }

    byte[] NonUtf8(byte[] source)
    {
        var n = HeaderLength(source);
        var header = source.AsSpan(8, n).ToArray().ToList();
        byte[] bad = Pick<byte[]>([0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80]);
        // Inside a string (after an opening quote) or anywhere.
        var quotes = Enumerable.Range(0, header.Count).Where(i => header[i] == (byte)'"').ToArray();
        var at = quotes.Length > 0 && _random.Next(2) == 0 ? quotes[_random.Next(quotes.Length)] + 1 : _random.Next(header.Count);
        header.InsertRange(at, bad);
        return RawSafetensors.Build(header.ToArray(), source.AsSpan(8 + n));
    }

    byte[] HeaderText(byte[] source)
    {
        var (header, data) = Split(source);
        var json = header.ToJsonString();
        var text = _random.Next(8) switch
        {
            0 => "\uFEFF" + json,
            1 => json + "garbage",
            2 => json[..(json.Length / 2)],
            3 => Pick("[]", "null", "\"string\"", "42", "true", ""),
            4 => json.Replace(':', '='),
            5 => json + "\0\0\0\0",
            6 => json.Replace("\"data_offsets\"", "data_offsets"),
            _ => json.Replace(",", ",,"),
        };
        return Join(text, data);
    }

    byte[] DataSection(byte[] source)
    {
        var n = HeaderLength(source);
        var data = source[(8 + n)..].ToList();
        switch (data.Count == 0 ? 0 : _random.Next(3))
        {
            case 0: data.AddRange(Enumerable.Repeat((byte)0, 1 + _random.Next(16))); break;
            case 1: data.RemoveAt(_random.Next(data.Count)); break;
            default: return FlipBits(source, 8 + n, source.Length); // usually still valid: values change
        }
        return RawSafetensors.Build(source.AsSpan(8, n), data.ToArray());
    }

    static byte[] Splice(byte[] a, byte[] b)
    {
        var n = HeaderLength(a);
        var m = HeaderLength(b);
        return RawSafetensors.Build(a.AsSpan(8, n), b.AsSpan(8 + m));
    }

    byte[] RandomBytes()
    {
        var bytes = new byte[_random.Next(4096)];
        _random.NextBytes(bytes);
        if (bytes.Length >= 8 && _random.Next(2) == 0)
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)_random.Next(bytes.Length));
        return bytes;
    }
}
