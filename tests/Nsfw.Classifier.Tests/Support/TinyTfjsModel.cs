using System.Text.Json.Nodes;

namespace Probe.Tests.Support;

/// <summary>Writes small TF.js layers models (model.json + one float32 shard) for loader tests.</summary>
public static class TinyTfjsModel
{
    public sealed record Weight(string Name, long[] Shape, float[] Values);

    /// <summary>A layer entry: {"name", "class_name", "config", "inbound_nodes": [[[input,0,0,{}], …]]}.</summary>
    public static JsonObject Layer(string name, string className, JsonObject config, params string[] inputs)
    {
        config["name"] = name;
        var inbound = new JsonArray();
        if (inputs.Length > 0)
            inbound.Add(new JsonArray(inputs.Select(i => (JsonNode)new JsonArray(i, 0, 0, new JsonObject())).ToArray()));
        return new JsonObject { ["name"] = name, ["class_name"] = className, ["config"] = config, ["inbound_nodes"] = inbound };
    }

    public static JsonObject Input(string name, int h, int w, int c) =>
        Layer(name, "InputLayer", new JsonObject { ["batch_input_shape"] = new JsonArray(null, h, w, c) });

    /// <summary>Writes the model into <paramref name="folder"/>; the first layer is the input, the last the output.</summary>
    public static string Write(string folder, IReadOnlyList<JsonObject> layers, IReadOnlyList<Weight> weights)
    {
        Directory.CreateDirectory(folder);
        var manifestWeights = new JsonArray(weights.Select(w => (JsonNode)new JsonObject
        {
            ["name"] = w.Name,
            ["shape"] = new JsonArray(w.Shape.Select(d => (JsonNode)d).ToArray()),
            ["dtype"] = "float32",
        }).ToArray());
        var model = new JsonObject
        {
            ["modelTopology"] = new JsonObject
            {
                ["keras_version"] = "2.2.4",
                ["model_config"] = new JsonObject
                {
                    ["class_name"] = "Model",
                    ["config"] = new JsonObject
                    {
                        ["name"] = "tiny",
                        ["layers"] = new JsonArray(layers.Select(l => (JsonNode)l.DeepClone()).ToArray()),
                        ["input_layers"] = new JsonArray(new JsonArray(layers[0]["name"]!.GetValue<string>(), 0, 0)),
                        ["output_layers"] = new JsonArray(new JsonArray(layers[^1]["name"]!.GetValue<string>(), 0, 0)),
                    },
                },
            },
            ["weightsManifest"] = new JsonArray(new JsonObject { ["paths"] = new JsonArray("group1-shard1of1"), ["weights"] = manifestWeights }),
        };
        File.WriteAllText(Path.Combine(folder, "model.json"), model.ToJsonString());
        using var shard = File.Create(Path.Combine(folder, "group1-shard1of1"));
        foreach (var w in weights)
        {
            var bytes = new byte[w.Values.Length * 4];
            Buffer.BlockCopy(w.Values, 0, bytes, 0, bytes.Length);
            shard.Write(bytes);
        }
        return Path.Combine(folder, "model.json");
    }
}
