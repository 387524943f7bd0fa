using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// transformers 4.51's <c>Qwen2ForCausalLM</c> (modeling_qwen2.py): q/k/v with bias, o_proj without; optional sliding window (Qwen2, Qwen2.5).
/// </summary>
public sealed class Qwen2ForCausalLM : DecoderForCausalLM
{
    public Qwen2ForCausalLM(CausalLMConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(Qwen2ForCausalLM), Check(config), device, dtype)
    {
    }

    /// <summary>Loads a transformers model folder (config.json + model.safetensors or a sharded index).</summary>
    public static Qwen2ForCausalLM FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var config = CausalLMConfig.FromFile(Path.Combine(folder, "config.json"));
        return Load(new Qwen2ForCausalLM(config, device, dtype), folder);
    }

    static CausalLMConfig Check(CausalLMConfig config) =>
        config.Family == DecoderFamily.Qwen2
            ? config
            : throw new ModelLoadException($"Qwen2ForCausalLM needs a model_type of the {DecoderFamily.Qwen2} family, the config has '{config.ModelType}'");
}
