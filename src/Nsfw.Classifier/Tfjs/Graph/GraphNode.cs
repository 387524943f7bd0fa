using System.Text;
using System.Text.Json.Nodes;

namespace Probe.Nsfw.Classifier.Tfjs.Graph;

/// <summary>One node of a TF.js graph model (a TensorFlow GraphDef node in JSON): name, op, data inputs and attributes.</summary>
internal sealed class GraphNode
{
    readonly JsonNode? attr;

    public GraphNode(string file, JsonNode node)
    {
        File = file;
        Name = node["name"]?.GetValue<string>() ?? throw new TfjsModelException(file, null, "a graph node has no name");
        Op = node["op"]?.GetValue<string>() ?? throw new TfjsModelException(file, $"node '{Name}'", "has no op");
        attr = node["attr"];
        var inputs = new List<string>();
        if (node["input"] is JsonArray list)
            foreach (var entry in list)
            {
                var text = entry?.GetValue<string>() ?? throw Error("has a null input");
                if (text.StartsWith('^')) continue; // control dependency: ordering only, no data
                var colon = text.LastIndexOf(':');
                if (colon > 0)
                {
                    if (text[(colon + 1)..] != "0") throw Error($"input '{text}' uses output {text[(colon + 1)..]} of a node (only output 0 is supported)");
                    text = text[..colon];
                }
                inputs.Add(text);
            }
        Inputs = inputs;
    }

    public string File { get; }

    public string Name { get; }

    public string Op { get; }

    public IReadOnlyList<string> Inputs { get; }

    public string Item => $"node '{Name}' ({Op})";

    public TfjsModelException Error(string problem) => new(File, Item, problem);

    public bool HasAttr(string key) => attr?[key] is not null;

    /// <summary>A string attribute (stored base64-encoded in model.json).</summary>
    public string String(string key, string? fallback = null)
    {
        var s = attr?[key]?["s"]?.GetValue<string>();
        if (s is null) return fallback ?? throw Error($"attribute '{key}' is missing");
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(s));
        }
        catch (FormatException)
        {
            throw Error($"attribute '{key}' is not base64 text");
        }
    }

    public IReadOnlyList<string> Strings(string key) =>
        attr?[key]?["list"]?["s"] is JsonArray a
            ? a.Select(x => Encoding.UTF8.GetString(Convert.FromBase64String(x!.GetValue<string>()))).ToArray()
            : [];

    public long[] Ints(string key, long[]? fallback = null)
    {
        if (attr?[key]?["list"]?["i"] is not JsonArray a) return fallback ?? throw Error($"attribute '{key}' is missing");
        return a.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s)
            ? long.Parse(s, System.Globalization.CultureInfo.InvariantCulture)
            : x!.GetValue<long>()).ToArray();
    }

    public bool Bool(string key, bool fallback) => attr?[key]?["b"]?.GetValue<bool>() ?? fallback;

    /// <summary>Graph ops here must be NHWC, TF's default and what the converter emits for CPU models.</summary>
    public void RequireNhwc()
    {
        var format = String("data_format", "NHWC");
        if (format != "NHWC") throw Error($"data_format '{format}' is not supported (NHWC only)");
    }

    /// <summary>A 4-element NHWC attribute (strides, ksize, dilations) whose batch and channel entries must be 1; returns (H, W).</summary>
    public (long H, long W) Spatial(string key, long fallback)
    {
        var v = Ints(key, [1, fallback, fallback, 1]);
        if (v.Length != 4 || v[0] != 1 || v[3] != 1) throw Error($"attribute '{key}' [{string.Join(",", v)}] must be [1, h, w, 1]");
        return (v[1], v[2]);
    }

    public bool SamePadding()
    {
        var padding = String("padding", "VALID");
        return padding switch
        {
            "SAME" => true,
            "VALID" => false,
            _ => throw Error($"padding '{padding}' is not supported (SAME or VALID)"),
        };
    }
}
