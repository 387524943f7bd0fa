using System.Text.Json.Nodes;
using Probe.Nsfw.Classifier.Tfjs.Layers;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Graph;

/// <summary>
/// A TF.js graph model (a frozen TensorFlow graph converted by tensorflowjs_converter) as a TorchSharp module:
/// the nodes run in dependency order, constants are held by the ops that use them. Input: NHWC float; output: the
/// signature's output node. Supported ops: <see cref="SupportedOps"/>; anything else is a <see cref="TfjsModelException"/>.
/// </summary>
public sealed class TfjsGraphModel : nn.Module<Tensor, Tensor>
{
    public static readonly IReadOnlyList<string> SupportedOps =
    [
        "Placeholder", "Const", "Identity", "Mul", "Sub", "Add", "AddV2", "Conv2D", "_FusedConv2D",
        "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative", "AvgPool", "MaxPool", "Squeeze", "MatMul",
        "_FusedMatMul", "Relu", "Relu6", "Softmax",
    ];

    sealed record Step(string Name, string[] Inputs, Func<IReadOnlyList<Tensor>, Tensor> Apply);

    readonly List<Step> steps = [];
    readonly string inputName;
    readonly string outputName;
    readonly Dictionary<string, int> lastUse = new(StringComparer.Ordinal);

    internal TfjsGraphModel(string file, JsonNode root, WeightSet weights) : base("tfjs_graph_model")
    {
        if (root["modelTopology"]?["node"] is not JsonArray nodeList || nodeList.Count == 0)
            throw new TfjsModelException(file, null, "modelTopology has no nodes");
        var nodes = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        foreach (var n in nodeList)
        {
            var node = new GraphNode(file, n ?? throw new TfjsModelException(file, null, "a graph node is null"));
            if (!nodes.TryAdd(node.Name, node)) throw node.Error("a node of this name already exists");
        }

        var placeholders = nodes.Values.Where(n => n.Op == "Placeholder").ToArray();
        if (placeholders.Length != 1)
            throw new TfjsModelException(file, null, $"the graph must have exactly one Placeholder input, found {placeholders.Length}");
        inputName = placeholders[0].Name;
        InputShape = PlaceholderShape(placeholders[0], root);
        outputName = OutputName(file, root, nodes);

        var constants = nodes.Values.Where(n => n.Op == "Const").Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        Tensor Constant(string name, long[] shape)
        {
            if (!constants.Contains(name)) throw new TfjsModelException(file, $"node '{name}'", "must be a Const (computed weights are not supported)");
            return weights.Tensor($"node '{name}' (Const)", name, shape);
        }
        Tensor? ConstantOrNull(string name) =>
            constants.Contains(name) ? weights.TensorAsStored($"node '{name}' (Const)", name) : null;

        foreach (var node in TopologicalOrder(file, nodes))
        {
            if (node.Op is "Placeholder" or "Const") continue;
            var module = Build(node, Constant, ConstantOrNull, out var computedInputs);
            foreach (var i in computedInputs)
                if (!nodes.ContainsKey(i)) throw node.Error($"input '{i}' is not a node of the graph");
            steps.Add(new Step(node.Name, computedInputs, module));
        }
        foreach (var c in constants)
            if (!weights.Contains(c)) throw new TfjsModelException(file, $"node '{c}' (Const)", "has no weight in the weights manifest");
        weights.RequireAllUsed();
        for (var s = 0; s < steps.Count; s++)
            foreach (var i in steps[s].Inputs) lastUse[i] = s;
        RegisterComponents();
    }

    /// <summary>The input shape without the batch: [H, W, C] (-1 where any size is accepted).</summary>
    public long[] InputShape { get; }

    Func<IReadOnlyList<Tensor>, Tensor> Build(GraphNode node, Func<string, long[], Tensor> constant, Func<string, Tensor?> constantOrNull, out string[] computed)
    {
        Func<IReadOnlyList<Tensor>, Tensor> Single(nn.Module<Tensor, Tensor> m, out string[] inputs)
        {
            register_module(m.GetName(), m);
            inputs = [node.Inputs[0]];
            return xs => m.call(xs[0]);
        }
        switch (node.Op)
        {
            case "Conv2D" or "_FusedConv2D":
                return Single(new FusedConv2D(node, depthwise: false, constant), out computed);
            case "DepthwiseConv2dNative" or "FusedDepthwiseConv2dNative":
                return Single(new FusedConv2D(node, depthwise: true, constant), out computed);
            case "MatMul" or "_FusedMatMul":
                return Single(new FusedMatMul(node, constant), out computed);
            case "AvgPool" or "MaxPool":
                node.RequireNhwc();
                if (node.Inputs.Count != 1) throw node.Error($"expects 1 input, got {node.Inputs.Count}");
                return Single(new Pooling2D(node.Name.Replace('.', '_'), node.Op == "AvgPool", node.Spatial("ksize", 1), node.Spatial("strides", 1), node.SamePadding()), out computed);
            case "Squeeze":
                if (node.Inputs.Count != 1) throw node.Error($"expects 1 input, got {node.Inputs.Count}");
                return Single(new Squeeze(node), out computed);
            case var op when UnaryOp.Ops.Contains(op):
                return Single(new UnaryOp(node), out computed);
            case var op when BinaryOp.Ops.Contains(op):
                if (node.Inputs.Count != 2) throw node.Error($"expects 2 inputs, got {node.Inputs.Count}");
                var left = constantOrNull(node.Inputs[0]);
                var right = constantOrNull(node.Inputs[1]);
                var binary = new BinaryOp(node, left, right);
                register_module(binary.GetName(), binary);
                computed = node.Inputs.Where((_, i) => (i == 0 ? left : right) is null).ToArray();
                return xs => binary.call(xs);
            default:
                throw node.Error($"op not supported (supported: {string.Join(", ", SupportedOps)})");
        }
    }

    static IEnumerable<GraphNode> TopologicalOrder(string file, Dictionary<string, GraphNode> nodes)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = visiting, 2 = done
        var order = new List<GraphNode>();
        void Visit(GraphNode n)
        {
            if (state.TryGetValue(n.Name, out var s))
            {
                if (s == 1) throw n.Error("the graph has a cycle through this node");
                return;
            }
            state[n.Name] = 1;
            foreach (var i in n.Inputs)
                Visit(nodes.TryGetValue(i, out var dep) ? dep : throw n.Error($"input '{i}' is not a node of the graph"));
            state[n.Name] = 2;
            order.Add(n);
        }
        foreach (var n in nodes.Values) Visit(n);
        return order;
    }

    static long[] PlaceholderShape(GraphNode input, JsonNode root)
    {
        var dims = root["modelTopology"]!["node"]!.AsArray()
            .First(n => n?["name"]?.GetValue<string>() == input.Name)!["attr"]?["shape"]?["shape"]?["dim"] as JsonArray;
        if (dims is not { Count: 4 }) throw input.Error("needs a 4-D shape [-1, H, W, C]");
        return dims.Skip(1).Select(d => long.Parse(d?["size"]?.GetValue<string>() ?? "-1", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    static string OutputName(string file, JsonNode root, Dictionary<string, GraphNode> nodes)
    {
        if (root["userDefinedMetadata"]?["signature"]?["outputs"] is JsonObject outputs)
        {
            if (outputs.Count != 1) throw new TfjsModelException(file, null, $"the signature has {outputs.Count} outputs; exactly one is supported");
            var name = outputs.First().Value?["name"]?.GetValue<string>() ?? outputs.First().Key;
            var colon = name.LastIndexOf(':');
            if (colon > 0) name = name[..colon];
            return nodes.ContainsKey(name) ? name : throw new TfjsModelException(file, null, $"signature output '{name}' is not a node of the graph");
        }
        var consumed = nodes.Values.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
        var sinks = nodes.Values.Where(n => n.Op != "Const" && !consumed.Contains(n.Name)).ToArray();
        return sinks.Length == 1 ? sinks[0].Name
            : throw new TfjsModelException(file, null, $"cannot tell the output: {sinks.Length} nodes feed no other node and there is no signature");
    }

    public override Tensor forward(Tensor input) => Forward(input, null);

    /// <summary>
    /// The forward pass, handing every node's name and output to <paramref name="observer"/> as soon as it
    /// is computed, in TF layout (NHWC for rank 4) — for finding the first place where a port diverges from TF.js. The
    /// tensor is only valid during the call: a later element-wise layer may overwrite it in place.
    /// </summary>
    public Tensor Forward(Tensor input, Action<string, Tensor>? observer)
    {
        if (input.Dimensions != 4 || input.shape.Skip(1).Where((d, i) => InputShape[i] >= 0 && InputShape[i] != d).Any())
            throw new ArgumentException($"expected input [N,{string.Join(",", InputShape)}] (NHWC), got [{string.Join(",", input.shape)}]", nameof(input));
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [inputName] = input.permute(0, 3, 1, 2).contiguous() };
        for (var s = 0; s < steps.Count; s++)
        {
            var step = steps[s];
            var output = step.Apply(step.Inputs.Select(i => values[i]).ToArray());
            values[step.Name] = output;
            observer?.Invoke(step.Name, output.Dimensions == 4 ? output.permute(0, 2, 3, 1) : output);
            // Release activations no later node reads (Identity passes its input object on, so check for sharing).
            foreach (var i in step.Inputs.Distinct())
                if (lastUse[i] == s && i != outputName && i != inputName && !ReferenceEquals(values[i], output)
                    && !values.Any(kv => kv.Key != i && ReferenceEquals(kv.Value, values[i])))
                {
                    values[i].Dispose();
                    values.Remove(i);
                }
        }
        var result = values[outputName];
        return result.Dimensions == 4 ? result.permute(0, 2, 3, 1) : result;
    }
}
