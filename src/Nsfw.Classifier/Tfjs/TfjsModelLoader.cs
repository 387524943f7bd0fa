using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Nsfw.Classifier.Tfjs.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs;

/// <summary>
/// Loads a TF.js model (model.json + binary shards) into a TorchSharp module: a layers model (Keras functional
/// topology) becomes a <see cref="TfjsLayersModel"/>, a graph model a <see cref="TfjsGraphModel"/>. Both take NHWC input.
/// </summary>
public static class TfjsModelLoader
{
    /// <summary>Loads from a model folder (holding model.json) or from the model.json path itself, onto <paramref name="device"/> in <paramref name="dtype"/>.</summary>
    public static nn.Module<Tensor, Tensor> Load(string path, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = Directory.Exists(path) ? Path.Combine(path, "model.json") : path;
        if (!File.Exists(file)) throw new TfjsModelException(file, null, "file not found");
        JsonNode root;
        try
        {
            using var stream = File.OpenRead(file);
            root = JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { MaxDepth = 256 })
                ?? throw new TfjsModelException(file, null, "the file is empty JSON (null)");
        }
        catch (JsonException e)
        {
            throw new TfjsModelException(file, null, $"not valid JSON ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new TfjsModelException(file, null, $"cannot be read ({e.Message})", e);
        }

        var topology = root["modelTopology"] ?? throw new TfjsModelException(file, null, "no 'modelTopology' (is this a TF.js model.json?)");
        // Build in a scope of our own: it frees the loading temporaries, and the weights are detached from it (and so
        // from any scope the caller has open), so the model lives until it is disposed, not until the caller's scope ends.
        using var scope = NewDisposeScope();
        nn.Module<Tensor, Tensor> model;
        try
        {
            var weights = new WeightSet(file, TfjsWeightReader.Read(file, root["weightsManifest"]));
            var isGraph = root["format"]?.GetValue<string>() == "graph-model" || topology["node"] is not null;
            model = isGraph ? new TfjsGraphModel(file, root, weights) : new TfjsLayersModel(file, topology, weights);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException or ArgumentException or OverflowException)
        {
            // JSON of the wrong kind where a config expects a number, a list, … : report it against the file.
            throw new TfjsModelException(file, null, $"malformed model: {e.Message}", e);
        }
        model.eval();
        if (dtype != ScalarType.Float32) model.to(dtype);
        if (device is not null && device.type != DeviceType.CPU) model.to(device);
        foreach (var (_, parameter) in model.named_parameters()) parameter.DetachFromDisposeScope();
        foreach (var (_, buffer) in model.named_buffers()) buffer.DetachFromDisposeScope();
        return model;
    }

    /// <summary>[H, W, C] the model expects (-1 where any size is accepted).</summary>
    public static long[] InputShape(nn.Module<Tensor, Tensor> model) => model switch
    {
        TfjsLayersModel l => l.InputShape,
        TfjsGraphModel g => g.InputShape,
        _ => throw new ArgumentException("not a TF.js model loaded by TfjsModelLoader", nameof(model)),
    };
}
