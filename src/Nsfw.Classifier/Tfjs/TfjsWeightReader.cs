using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace Probe.Nsfw.Classifier.Tfjs;

/// <summary>
/// Reads the binary shards of a TF.js model as tfjs-core's io_utils.decodeWeights does: each weights group's shards
/// are concatenated in 'paths' order and its weights lie back to back in manifest order, without padding.
/// Quantised weights are dequantised exactly like tfjs: uint8/uint16 codes as float32(q*scale + min) with the
/// product and sum in float64, float16 codes converted to float32.
/// </summary>
public static class TfjsWeightReader
{
    public static IReadOnlyDictionary<string, TfjsWeight> Read(string modelJsonPath, JsonNode? weightsManifest)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelJsonPath)) ?? ".";
        if (weightsManifest is not JsonArray groups)
            throw new TfjsModelException(modelJsonPath, null, "'weightsManifest' is missing or not a list");
        var result = new Dictionary<string, TfjsWeight>(StringComparer.Ordinal);
        var groupIndex = 0;
        foreach (var group in groups)
        {
            var where = $"weightsManifest[{groupIndex++}]";
            if (group?["paths"] is not JsonArray paths || paths.Count == 0)
                throw new TfjsModelException(modelJsonPath, where, "'paths' is missing or empty");
            if (group["weights"] is not JsonArray weights)
                throw new TfjsModelException(modelJsonPath, where, "'weights' is missing or not a list");
            var data = ReadShards(modelJsonPath, folder, paths);
            var offset = 0L;
            foreach (var w in weights)
            {
                var weight = Decode(modelJsonPath, w, data, ref offset);
                if (!result.TryAdd(weight.Name, weight))
                    throw new TfjsModelException(modelJsonPath, $"weight '{weight.Name}'", "appears twice in the manifest");
            }
            if (offset != data.LongLength)
                throw new TfjsModelException(modelJsonPath, where,
                    $"the manifest describes {offset} bytes but the shards hold {data.LongLength}");
        }
        return result;
    }

    static byte[] ReadShards(string modelJsonPath, string folder, JsonArray paths)
    {
        using var all = new MemoryStream();
        foreach (var p in paths)
        {
            var name = p?.GetValue<string>() ?? throw new TfjsModelException(modelJsonPath, "weightsManifest", "a shard path is null");
            if (Path.IsPathRooted(name) || name.Split('/', '\\').Contains(".."))
                throw new TfjsModelException(modelJsonPath, $"shard '{name}'", "shard paths must stay inside the model folder");
            // Converters write shards without an extension ("group1-shard1of2"); copies often carry ".bin". Accept both.
            var file = Path.Combine(folder, name);
            if (!File.Exists(file) && File.Exists(file + ".bin")) file += ".bin";
            if (!File.Exists(file))
                throw new TfjsModelException(modelJsonPath, $"shard '{name}'", $"file not found next to model.json ({file} or {file}.bin)");
            using var s = File.OpenRead(file);
            s.CopyTo(all);
        }
        return all.ToArray();
    }

    static TfjsWeight Decode(string file, JsonNode? w, byte[] data, ref long offset)
    {
        var name = w?["name"]?.GetValue<string>() ?? throw new TfjsModelException(file, "weightsManifest", "a weight has no name");
        var item = $"weight '{name}'";
        if (w["shape"] is not JsonArray shapeNode) throw new TfjsModelException(file, item, "has no shape");
        var shape = shapeNode.Select(d => d?.GetValue<long>() ?? -1).ToArray();
        if (shape.Any(d => d < 0)) throw new TfjsModelException(file, item, $"has an invalid shape [{string.Join(",", shape)}]");
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var dtype = w["dtype"]?.GetValue<string>() ?? "float32";
        if (dtype != "float32")
            throw new TfjsModelException(file, item, $"dtype '{dtype}' is not supported (only float32 weights)");
        var q = w["quantization"];
        var qtype = q?["dtype"]?.GetValue<string>();
        var bytesPer = qtype switch
        {
            null => 4,
            "uint8" => 1,
            "uint16" or "float16" => 2,
            _ => throw new TfjsModelException(file, item, $"quantization dtype '{qtype}' is not supported (uint8, uint16, float16)"),
        };
        var size = count * bytesPer;
        if (offset + size > data.LongLength)
            throw new TfjsModelException(file, item, $"needs bytes {offset}..{offset + size} but the shards end at {data.LongLength}");
        var bytes = data.AsSpan((int)offset, (int)size);
        offset += size;
        var values = new float[count];
        switch (qtype)
        {
            case null:
                for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                break;
            case "float16":
                for (var i = 0; i < count; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
                break;
            default:
                var min = q!["min"]?.GetValue<double>() ?? throw new TfjsModelException(file, item, $"{qtype} quantization without 'min'");
                var scale = q["scale"]?.GetValue<double>() ?? throw new TfjsModelException(file, item, $"{qtype} quantization without 'scale'");
                if (qtype == "uint8")
                    for (var i = 0; i < count; i++) values[i] = (float)(bytes[i] * scale + min);
                else
                    for (var i = 0; i < count; i++) values[i] = (float)(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]) * scale + min);
                break;
        }
        return new TfjsWeight(name, shape, values);
    }
}
