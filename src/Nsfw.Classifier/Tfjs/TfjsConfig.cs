using System.Text.Json;
using System.Text.Json.Nodes;

namespace Probe.Nsfw.Classifier.Tfjs;

/// <summary>Typed reads from one layer's (or node's) JSON config; every failure names the file, the item and the key.</summary>
internal sealed class TfjsConfig(string file, string item, JsonNode? config)
{
    public string File { get; } = file;

    public string Item { get; } = item;

    public TfjsModelException Error(string problem) => new(File, Item, problem);

    public bool Has(string key) => config?[key] is not null;

    public JsonNode? Node(string key) => config?[key];

    public string String(string key, string? fallback = null)
    {
        var n = config?[key];
        if (n is null) return fallback ?? throw Error($"config has no '{key}'");
        return n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Error($"'{key}' should be a string, got {n.ToJsonString()}");
    }

    public double Double(string key, double? fallback = null)
    {
        var n = config?[key];
        if (n is null) return fallback ?? throw Error($"config has no '{key}'");
        return n is JsonValue v && v.TryGetValue<double>(out var d) ? d : throw Error($"'{key}' should be a number, got {n.ToJsonString()}");
    }

    public double? NullableDouble(string key) => config?[key] is null ? null : Double(key);

    public int Int(string key, int? fallback = null)
    {
        var n = config?[key];
        if (n is null) return fallback ?? throw Error($"config has no '{key}'");
        return n is JsonValue v && v.TryGetValue<int>(out var i) ? i : throw Error($"'{key}' should be an integer, got {n.ToJsonString()}");
    }

    public bool Bool(string key, bool fallback)
    {
        var n = config?[key];
        if (n is null) return fallback;
        return n is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw Error($"'{key}' should be true or false, got {n.ToJsonString()}");
    }

    /// <summary>A pair such as kernel_size [3,3]; a single integer n means [n,n].</summary>
    public (int A, int B) Pair(string key, (int, int)? fallback = null)
    {
        var n = config?[key];
        if (n is null) return fallback ?? throw Error($"config has no '{key}'");
        try
        {
            if (n is JsonValue) { var x = n.GetValue<int>(); return (x, x); }
            if (n is JsonArray { Count: 2 } a) return (a[0]!.GetValue<int>(), a[1]!.GetValue<int>());
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or NullReferenceException)
        {
            throw Error($"'{key}' should be one or two integers, got {n.ToJsonString()}");
        }
        throw Error($"'{key}' should be one or two integers, got {n.ToJsonString()}");
    }

    public long[] Longs(string key)
    {
        if (config?[key] is not JsonArray a) throw Error($"config has no list '{key}'");
        try
        {
            return a.Select(x => x switch
            {
                JsonValue v when v.TryGetValue<long>(out var l) => l,
                JsonValue v when v.TryGetValue<string>(out var s) => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new FormatException(),
            }).ToArray();
        }
        catch (FormatException)
        {
            throw Error($"'{key}' should be a list of integers, got {a.ToJsonString()}");
        }
    }

    /// <summary>Keras layers in these models must be channels_last (NHWC), as TF.js stores them.</summary>
    public void RequireChannelsLast()
    {
        var format = String("data_format", "channels_last");
        if (format != "channels_last") throw Error($"data_format '{format}' is not supported (channels_last only)");
    }
}
