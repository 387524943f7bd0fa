using Probe.Core;
namespace Probe.Nsfw.Classifier.Tfjs;

/// <summary>
/// A TF.js model cannot be loaded: the message names the file, the layer / node / weight concerned and what is wrong,
/// e.g. "models/x/model.json: layer 'conv_7' (SeparableConv2D): layer type not supported".
/// </summary>
public sealed class TfjsModelException : ProbeException
{
    public TfjsModelException(string file, string? item, string problem, Exception? inner = null)
        : base(item is null ? $"{file}: {problem}" : $"{file}: {item}: {problem}", inner)
    {
        File = file;
        Item = item;
        Problem = problem;
    }

    public string File { get; }

    /// <summary>"layer 'name' (Class)", "node 'name' (Op)", "weight 'name'", or null for the file as a whole.</summary>
    public string? Item { get; }

    public string Problem { get; }
}
