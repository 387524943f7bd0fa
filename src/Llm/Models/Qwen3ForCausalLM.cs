using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// transformers 4.51's <c>Qwen3ForCausalLM</c> (modeling_qwen3.py): per-head q/k RMSNorm before RoPE, head_dim independent of hidden/heads, attention_bias on q/k/v/o.
/// </summary>
public sealed class Qwen3ForCausalLM : DecoderForCausalLM
{
    public Qwen3ForCausalLM(CausalLMConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(Qwen3ForCausalLM), Check(config), device, dtype)
    {
    }

    /// <summary>Loads a transformers model folder (config.json + model.safetensors or a sharded index).</summary>
    public static Qwen3ForCausalLM FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var config = CausalLMConfig.FromFile(Path.Combine(folder, "config.json"));
        return Load(new Qwen3ForCausalLM(config, device, dtype), folder);
    }

    static CausalLMConfig Check(CausalLMConfig config) =>
        config.Family == DecoderFamily.Qwen3
            ? config
            : throw new ModelLoadException($"Qwen3ForCausalLM needs a model_type of the {DecoderFamily.Qwen3} family, the config has '{config.ModelType}'");
}
