using Probe.Core.Hub;

namespace Probe.Runner.Evaluation;

/// <summary>
/// Which half of Probe a model folder belongs to, read from its files: a diffusers pipeline has model_index.json; a
/// transformers causal LM has config.json with a *ForCausalLM architecture and no model_index.json.
/// </summary>
public static class ModelKind
{
    /// <summary>True when <paramref name="model"/> is a local folder holding a transformers causal LM.</summary>
    public static bool IsChatModelFolder(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Directory.Exists(model) || File.Exists(Path.Combine(model, "model_index.json"))) return false;
        var config = Path.Combine(model, TransformersModelLayout.ConfigFile);
        if (!File.Exists(config)) return false;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(config));
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                   && doc.RootElement.TryGetProperty("architectures", out var a) && a.ValueKind == System.Text.Json.JsonValueKind.Array
                   && a.EnumerateArray().Any(e => e.ValueKind == System.Text.Json.JsonValueKind.String && e.GetString()!.EndsWith("ForCausalLM", StringComparison.Ordinal));
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
