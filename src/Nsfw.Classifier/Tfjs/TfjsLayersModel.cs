using System.Text.Json.Nodes;
using Probe.Nsfw.Classifier.Tfjs.Layers;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs;

/// <summary>
/// A TF.js layers model (a Keras functional model) as a TorchSharp module. Each Keras layer is a sub-module named like
/// the layer, holding parameters named like its weights (<c>Conv1.kernel</c> ↔ <c>Conv1/kernel</c>).
/// Input: NHWC float [N, H, W, C]; output: the output layer's tensor (rank 4 outputs come back as NHWC).
/// Supported layer types: <see cref="SupportedLayers"/>; anything else is a <see cref="TfjsModelException"/>.
/// </summary>
public sealed class TfjsLayersModel : nn.Module<Tensor, Tensor>
{
    public static readonly IReadOnlyList<string> SupportedLayers =
    [
        "InputLayer", "Conv2D", "DepthwiseConv2D", "BatchNormalization", "ReLU", "Activation", "ZeroPadding2D",
        "AveragePooling2D", "MaxPooling2D", "Add", "Concatenate", "Flatten", "Dense", "Dropout",
    ];

    readonly List<Step> steps = [];
    readonly string inputName;
    readonly string outputName;

    /// <summary>One layer call: the layer's name and type, its inputs by layer name, and the computation.</summary>
    sealed record Step(string Name, string ClassName, string[] Inputs, Func<IReadOnlyList<Tensor>, Tensor> Apply);

    readonly Dictionary<string, int> lastUse = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> consumers = new(StringComparer.Ordinal);

    /// <summary>Names whose tensor object another name shares (Dropout hands its input on): never overwritten in place.</summary>
    readonly HashSet<string> passThrough = new(StringComparer.Ordinal);

    internal TfjsLayersModel(string file, JsonNode topology, WeightSet weights) : base("tfjs_layers_model")
    {
        var modelConfig = topology["model_config"] ?? topology;
        var className = modelConfig["class_name"]?.GetValue<string>();
        if (className is not ("Model" or "Functional"))
            throw new TfjsModelException(file, null, $"model class '{className ?? "(none)"}' is not supported (a functional Keras model, class Model or Functional)");
        var config = modelConfig["config"] ?? throw new TfjsModelException(file, null, "model_config has no 'config'");
        if (config["layers"] is not JsonArray layers || layers.Count == 0)
            throw new TfjsModelException(file, null, "model_config.config has no layers");

        inputName = SingleEndpoint(file, config, "input_layers");
        outputName = SingleEndpoint(file, config, "output_layers");
        InputShape = [];

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            var name = layer?["name"]?.GetValue<string>() ?? layer?["config"]?["name"]?.GetValue<string>()
                ?? throw new TfjsModelException(file, null, "a layer has no name");
            var type = layer!["class_name"]?.GetValue<string>() ?? throw new TfjsModelException(file, $"layer '{name}'", "has no class_name");
            var item = $"layer '{name}' ({type})";
            var cfg = new TfjsConfig(file, item, layer["config"]);
            var inputs = Inbound(file, item, layer["inbound_nodes"]);
            foreach (var i in inputs)
                if (!known.Contains(i))
                    throw new TfjsModelException(file, item, $"input '{i}' is not a layer defined before it");
            if (!known.Add(name)) throw new TfjsModelException(file, item, "a layer of this name already exists");

            if (type == "InputLayer")
            {
                if (inputs.Length != 0) throw new TfjsModelException(file, item, "an InputLayer cannot have inputs");
                if (name == inputName && cfg.Node("batch_input_shape") is JsonArray shape)
                    InputShape = shape.Skip(1).Select(d => d is null ? -1L : d.GetValue<long>()).ToArray();
                continue;
            }
            if (inputs.Length == 0) throw new TfjsModelException(file, item, "has no inbound node");
            steps.Add(Build(name, type, item, cfg, inputs, weights));
        }
        if (!known.Contains(outputName)) throw new TfjsModelException(file, null, $"output layer '{outputName}' is not defined");
        if (InputShape.Length != 3)
            throw new TfjsModelException(file, $"layer '{inputName}' (InputLayer)", "needs a batch_input_shape [null, H, W, C]");
        weights.RequireAllUsed();

        for (var s = 0; s < steps.Count; s++)
            foreach (var i in steps[s].Inputs)
            {
                lastUse[i] = s;
                consumers[i] = consumers.GetValueOrDefault(i) + 1;
            }
        RegisterComponents();
    }

    /// <summary>The input shape without the batch: [H, W, C] (-1 where any size is accepted).</summary>
    public long[] InputShape { get; }

    Step Build(string name, string type, string item, TfjsConfig cfg, string[] inputs, WeightSet weights)
    {
        Func<IReadOnlyList<Tensor>, Tensor> single(nn.Module<Tensor, Tensor> m)
        {
            register_module(name, m);
            if (inputs.Length != 1) throw new TfjsModelException(cfg.File, item, $"takes one input, got {inputs.Length}");
            // Element-wise layers overwrite their input when this layer is its only reader (decided per call below).
            if (m is IInPlaceLayer inPlace) return xs => InPlaceAllowed(inputs[0]) ? inPlace.ForwardInPlace(xs[0]) : m.call(xs[0]);
            return xs => m.call(xs[0]);
        }
        Func<IReadOnlyList<Tensor>, Tensor> merge(nn.Module<IReadOnlyList<Tensor>, Tensor> m)
        {
            register_module(name, m);
            if (inputs.Length < 2) throw new TfjsModelException(cfg.File, item, $"merges two or more inputs, got {inputs.Length}");
            return xs => m.call(xs);
        }
        Func<IReadOnlyList<Tensor>, Tensor> PassThrough(Func<IReadOnlyList<Tensor>, Tensor> f)
        {
            passThrough.Add(name);
            passThrough.Add(inputs[0]);
            return f;
        }
        var apply = type switch
        {
            "Conv2D" => single(new Conv2D(name, cfg, weights)),
            "DepthwiseConv2D" => single(new DepthwiseConv2D(name, cfg, weights)),
            "BatchNormalization" => single(new BatchNormalization(name, cfg, weights)),
            "ReLU" => single(new ReLU(name, cfg)),
            "Activation" => single(new Activation(name, cfg)),
            "ZeroPadding2D" => single(new ZeroPadding2D(name, cfg)),
            "AveragePooling2D" => single(Pooling2D.FromKeras(name, true, cfg)),
            "MaxPooling2D" => single(Pooling2D.FromKeras(name, false, cfg)),
            "Flatten" => single(new Flatten(name)),
            "Dense" => single(new Dense(name, cfg, weights)),
            "Dropout" => PassThrough(single(new Identity(name))),
            "Add" => merge(new Add(name)),
            "Concatenate" => merge(new Concatenate(name, cfg)),
            _ => throw new TfjsModelException(cfg.File, item, $"layer type not supported (supported: {string.Join(", ", SupportedLayers)})"),
        };
        return new Step(name, type, inputs, apply);
    }

    /// <summary>Inbound layer names of a layer called once: [[["name", 0, 0, {}], …]].</summary>
    static string[] Inbound(string file, string item, JsonNode? nodes)
    {
        if (nodes is null) return [];
        if (nodes is not JsonArray calls) throw new TfjsModelException(file, item, "'inbound_nodes' is not a list");
        if (calls.Count == 0) return [];
        if (calls.Count > 1) throw new TfjsModelException(file, item, "the layer is called more than once (shared layers are not supported)");
        if (calls[0] is not JsonArray tensors) throw new TfjsModelException(file, item, "'inbound_nodes' has an unknown format (expected [[[name, node, tensor, {}]]])");
        return tensors.Select(t =>
        {
            if (t is not JsonArray { Count: >= 3 } entry || entry[0] is not JsonValue)
                throw new TfjsModelException(file, item, $"inbound entry {t?.ToJsonString()} is not [name, node, tensor, {{}}]");
            if (entry[1]!.GetValue<int>() != 0 || entry[2]!.GetValue<int>() != 0)
                throw new TfjsModelException(file, item, $"inbound entry {t.ToJsonString()} refers to a second output or call (not supported)");
            return entry[0]!.GetValue<string>();
        }).ToArray();
    }

    static string SingleEndpoint(string file, JsonNode config, string key)
    {
        if (config[key] is not JsonArray { Count: 1 } list || list[0] is not JsonArray { Count: >= 1 } entry)
            throw new TfjsModelException(file, null, $"'{key}' must name exactly one layer");
        return entry[0]!.GetValue<string>();
    }

    public override Tensor forward(Tensor input) => Forward(input, null);

    /// <summary>
    /// The forward pass, handing every layer's name and output to <paramref name="observer"/> as soon as it
    /// is computed, in TF layout (NHWC for rank 4) — for finding the first place where a port diverges from TF.js. The
    /// tensor is only valid during the call: a later element-wise layer may overwrite it in place.
    /// </summary>
    public Tensor Forward(Tensor input, Action<string, Tensor>? observer)
    {
        if (input.Dimensions != 4 || input.shape.Skip(1).Where((d, i) => InputShape[i] >= 0 && InputShape[i] != d).Any())
            throw new ArgumentException($"expected input [N,{string.Join(",", InputShape)}] (NHWC), got [{string.Join(",", input.shape)}]", nameof(input));
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [inputName] = input.permute(0, 3, 1, 2).contiguous() };
        Tensor? result = null;
        for (var s = 0; s < steps.Count; s++)
        {
            var step = steps[s];
            var output = step.Apply(step.Inputs.Select(i => values[i]).ToArray());
            values[step.Name] = output;
            observer?.Invoke(step.Name, output.Dimensions == 4 ? output.permute(0, 2, 3, 1) : output);
            if (step.Name == outputName) result = output;
            // Release what no later layer reads, so memory follows the widest point of the network, not its sum.
            foreach (var i in step.Inputs.Distinct())
                if (lastUse[i] == s && i != outputName && i != inputName && !SharedWithLiveValue(values, i, output))
                {
                    values[i].Dispose();
                    values.Remove(i);
                }
        }
        if (result is null) throw new InvalidOperationException($"output layer '{outputName}' was never computed");
        return result.Dimensions == 4 ? result.permute(0, 2, 3, 1) : result;
    }

    /// <summary>A layer may overwrite its input when it is that tensor's only reader and the tensor is not the caller's.</summary>
    bool InPlaceAllowed(string input) => input != inputName && consumers.GetValueOrDefault(input) == 1 && !passThrough.Contains(input);

    /// <summary>Pass-through layers (Dropout) hand on the same tensor object; it must outlive every name it has.</summary>
    static bool SharedWithLiveValue(Dictionary<string, Tensor> values, string name, Tensor output)
    {
        var t = values[name];
        return ReferenceEquals(t, output) || values.Any(kv => kv.Key != name && ReferenceEquals(kv.Value, t));
    }
}
