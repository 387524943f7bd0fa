using Probe.Core.Hub;
using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// transformers' <c>AutoModelForCausalLM.from_pretrained</c> for the architectures Probe implements: the class named
/// by config.json's <c>architectures</c> (else by its <c>model_type</c>). Anything else is refused by name.
/// </summary>
public static class AutoModelForCausalLM
{
    /// <summary>The architecture names accepted, with the model_type each belongs to.</summary>
    public static IReadOnlyDictionary<string, string> Architectures { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Qwen2ForCausalLM"] = "qwen2",
        ["Qwen3ForCausalLM"] = "qwen3",
        ["LlamaForCausalLM"] = "llama",
    };

    /// <param name="folder">A transformers model folder (as <see cref="ModelResolver"/> resolves one with <see cref="TransformersModelLayout"/>).</param>
    /// <param name="device">Where the weights go.</param>
    /// <param name="dtype">The dtype of the weights and activations; stored F32/F16/BF16 tensors are converted to it.</param>
    public static DecoderForCausalLM FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var configPath = Path.Combine(folder, TransformersModelLayout.ConfigFile);
        if (!Directory.Exists(folder)) throw new ModelLoadException($"{folder}: model folder not found");
        var config = CausalLMConfig.FromFile(configPath);
        var architecture = config.Architecture;
        if (architecture is not null)
        {
            if (!Architectures.TryGetValue(architecture, out var type))
                throw new ModelLoadException($"{configPath}: architecture '{architecture}' is not supported (supported: {string.Join(", ", Architectures.Keys)})");
            if (type != config.ModelType)
                throw new ModelLoadException($"{configPath}: architecture '{architecture}' does not belong to model_type '{config.ModelType}'");
        }
        return config.Family switch
        {
            DecoderFamily.Qwen2 => Qwen2ForCausalLM.FromPretrained(folder, device, dtype),
            DecoderFamily.Qwen3 => Qwen3ForCausalLM.FromPretrained(folder, device, dtype),
            DecoderFamily.Llama => LlamaForCausalLM.FromPretrained(folder, device, dtype),
            _ => throw new ModelLoadException($"{configPath}: no model class for family {config.Family}"),
        };
    }
}
