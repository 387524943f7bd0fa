using TorchSharp;
using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs;

/// <summary>The weights of one model file, handed out to layers by name; remembers which ones were used.</summary>
internal sealed class WeightSet(string file, IReadOnlyDictionary<string, TfjsWeight> weights)
{
    readonly HashSet<string> used = new(StringComparer.Ordinal);

    public string File { get; } = file;

    /// <summary>The weight called <paramref name="name"/>, checked against <paramref name="shape"/> (-1 = any size).</summary>
    public TfjsWeight Take(string item, string name, params long[] shape)
    {
        if (!weights.TryGetValue(name, out var w))
            throw new TfjsModelException(File, item, $"weight '{name}' is not in the weights manifest");
        if (w.Shape.Length != shape.Length || w.Shape.Where((d, i) => shape[i] >= 0 && shape[i] != d).Any())
            throw new TfjsModelException(File, item,
                $"weight '{name}' has shape {w.ShapeText}, the layer expects [{string.Join(",", shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]");
        used.Add(name);
        return w;
    }

    public bool Contains(string name) => weights.ContainsKey(name);

    /// <summary>A weight as a tensor of its manifest shape (CPU, float32).</summary>
    public Tensor Tensor(string item, string name, params long[] shape)
    {
        var w = Take(item, name, shape);
        return torch.tensor(w.Values, w.Shape);
    }

    /// <summary>A weight as a tensor of whatever shape the manifest gives it.</summary>
    public Tensor TensorAsStored(string item, string name)
    {
        if (!weights.TryGetValue(name, out var w))
            throw new TfjsModelException(File, item, $"weight '{name}' is not in the weights manifest");
        used.Add(name);
        return torch.tensor(w.Values, w.Shape);
    }

    /// <summary>Fails when the manifest holds weights no layer asked for: the model and its topology disagree.</summary>
    public void RequireAllUsed()
    {
        var unused = weights.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).ToArray();
        if (unused.Length > 0)
            throw new TfjsModelException(File, null,
                $"{unused.Length} weight(s) in the manifest belong to no layer, e.g. '{unused[0]}': the topology and the weights do not match");
    }
}
