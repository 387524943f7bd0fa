using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// transformers 4.51's <c>LlamaForCausalLM</c> (modeling_llama.py): attention_bias on q/k/v/o, mlp_bias, llama3 RoPE scaling (Llama 3.x).
/// </summary>
public sealed class LlamaForCausalLM : DecoderForCausalLM
{
    public LlamaForCausalLM(CausalLMConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(LlamaForCausalLM), Check(config), device, dtype)
    {
    }

    /// <summary>Loads a transformers model folder (config.json + model.safetensors or a sharded index).</summary>
    public static LlamaForCausalLM FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var config = CausalLMConfig.FromFile(Path.Combine(folder, "config.json"));
        return Load(new LlamaForCausalLM(config, device, dtype), folder);
    }

    static CausalLMConfig Check(CausalLMConfig config) =>
        config.Family == DecoderFamily.Llama
            ? config
            : throw new ModelLoadException($"LlamaForCausalLM needs a model_type of the {DecoderFamily.Llama} family, the config has '{config.ModelType}'");
}
