using System.Text;
using Probe.Core.Safetensors;
using static TorchSharp.torch;

namespace Probe.Core.Weights;

/// <summary>
/// Copies checkpoint tensors into a module's parameters and buffers by exact name (parameter names equal checkpoint
/// keys). Every problem is collected first and reported in one <see cref="WeightLoadException"/>.
/// </summary>
public static class WeightLoader
{
    /// <param name="module">The model, already on its target device and dtype.</param>
    /// <param name="checkpoint">The weights.</param>
    /// <param name="component">Name used in messages (e.g. "unet").</param>
    /// <param name="aliases">Alternative checkpoint key for a module key (legacy names); null when there is none.</param>
    /// <param name="ignorable">Checkpoint keys that may be present without a matching module tensor.</param>
    public static void Load(nn.Module module, Checkpoint checkpoint, string component,
                            Func<string, string?>? aliases = null, Func<string, bool>? ignorable = null)
    {
        var targets = new List<(string Name, Tensor Tensor)>();
        targets.AddRange(module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)));
        targets.AddRange(module.named_buffers(include_nonpersistent: false).Select(b => (b.name, b.buffer)));

        var missing = new List<string>();
        var misshapen = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var plan = new List<(Tensor Target, string Key)>();
        foreach (var (name, tensor) in targets)
        {
            var key = checkpoint.Contains(name) ? name : aliases?.Invoke(name);
            if (key is null || !checkpoint.Contains(key))
            {
                missing.Add(name);
                continue;
            }
            used.Add(key);
            var info = checkpoint.Info(key);
            if (!info.Shape.SequenceEqual(tensor.shape))
            {
                misshapen.Add($"'{key}' has shape {info.ShapeText}, the config expects [{string.Join(",", tensor.shape)}]");
                continue;
            }
            plan.Add((tensor, key));
        }
        var unexpected = checkpoint.Names.Where(k => !used.Contains(k) && !(ignorable?.Invoke(k) ?? false)).Order(StringComparer.Ordinal).ToList();

        if (missing.Count + misshapen.Count + unexpected.Count > 0)
            throw new WeightLoadException(Describe(component, checkpoint, missing, misshapen, unexpected));

        using var noGrad = no_grad();
        foreach (var (target, key) in plan)
        {
            using var loaded = checkpoint.Load(key, target.dtype, target.device);
            target.copy_(loaded);
        }
    }

    static string Describe(string component, Checkpoint checkpoint, List<string> missing, List<string> misshapen, List<string> unexpected)
    {
        const int shown = 12;
        var sb = new StringBuilder();
        sb.Append($"{component} weights ({string.Join(", ", checkpoint.Files)}) do not match its config.json:");
        void Section(string title, List<string> items)
        {
            if (items.Count == 0) return;
            sb.Append($"\n  {items.Count} {title}: ");
            sb.Append(string.Join("; ", items.Take(shown)));
            if (items.Count > shown) sb.Append($"; … and {items.Count - shown} more");
        }
        Section("wrongly shaped", misshapen);
        Section("missing from the checkpoint", missing);
        Section("unexpected in the checkpoint", unexpected);
        return sb.ToString();
    }
}
