using System.Text.Json;
using Probe.Core.Configuration;

namespace Probe.Llm.Models;

/// <summary>
/// config.json's <c>rope_scaling</c>: null or <c>rope_type</c> "default" (plain RoPE) or "llama3"
/// (<c>modeling_rope_utils._compute_llama3_parameters</c>). Every other rope type is refused rather than run as
/// plain RoPE, because that would silently change the model.
/// </summary>
public sealed record RopeScaling(
    string RopeType,
    double Factor,
    double LowFreqFactor,
    double HighFreqFactor,
    int OriginalMaxPositionEmbeddings)
{
    public const string Llama3 = "llama3";

    /// <summary>Null when the config asks for plain RoPE (key absent, null, or rope_type "default").</summary>
    public static RopeScaling? FromConfig(JsonElement root, string source)
    {
        if (!root.TryGetProperty("rope_scaling", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object)
            throw new ModelLoadException($"{source}: 'rope_scaling' must be null or an object, found {value.GetRawText()}");
        var nested = new ConfigJson(value, $"{source} (rope_scaling)");
        // transformers accepts the legacy key "type" for "rope_type" (modeling_rope_utils.rope_config_validation).
        var type = nested.String("rope_type") ?? nested.String("type")
            ?? throw new ModelLoadException($"{source}: 'rope_scaling' names no 'rope_type' (or legacy 'type')");
        switch (type)
        {
            case "default":
                return null;
            case Llama3:
                var scaling = new RopeScaling(
                    Llama3,
                    Required(nested, "factor"),
                    Required(nested, "low_freq_factor"),
                    Required(nested, "high_freq_factor"),
                    (int)Required(nested, "original_max_position_embeddings"));
                if (scaling.HighFreqFactor <= scaling.LowFreqFactor)
                    throw new ModelLoadException($"{source}: 'rope_scaling' high_freq_factor {scaling.HighFreqFactor} must exceed low_freq_factor {scaling.LowFreqFactor}");
                return scaling;
            default:
                throw new ModelLoadException(
                    $"{source}: 'rope_scaling' rope_type '{type}' is not supported (supported: default, {Llama3})");
        }
    }

    static double Required(ConfigJson nested, string key) =>
        nested.Has(key) ? nested.Double(key, 0) : throw new ModelLoadException($"{nested.Source}: '{key}' is required for rope_type llama3");
}
