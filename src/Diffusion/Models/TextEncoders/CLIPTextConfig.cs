using Probe.Core.Configuration;

namespace Probe.Diffusion.Models.TextEncoders;

/// <summary>The keys of transformers' <c>CLIPTextConfig</c> that define the text encoder SD uses.</summary>
public sealed record CLIPTextConfig
{
    public int VocabSize { get; init; } = 49408;
    public int HiddenSize { get; init; } = 512;
    public int IntermediateSize { get; init; } = 2048;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 8;
    public int MaxPositionEmbeddings { get; init; } = 77;
    public string HiddenAct { get; init; } = "quick_gelu";
    public double LayerNormEps { get; init; } = 1e-5;

    public static CLIPTextConfig FromFile(string path) => FromJson(ConfigJson.Load(path));

    public static CLIPTextConfig FromJson(ConfigJson c)
    {
        // CLIPModel configs nest the text settings under "text_config"; SD ships a plain CLIPTextModel config.
        var act = c.String("hidden_act", "quick_gelu")!;
        if (act is not ("gelu" or "quick_gelu"))
            throw new ConfigException(c.Source, "hidden_act", $"= '{act}' is not supported (gelu, quick_gelu)");
        var config = new CLIPTextConfig
        {
            VocabSize = c.Int("vocab_size", 49408),
            HiddenSize = c.Int("hidden_size", 512),
            IntermediateSize = c.Int("intermediate_size", 2048),
            NumHiddenLayers = c.Int("num_hidden_layers", 12),
            NumAttentionHeads = c.Int("num_attention_heads", 8),
            MaxPositionEmbeddings = c.Int("max_position_embeddings", 77),
            HiddenAct = act,
            LayerNormEps = c.Double("layer_norm_eps", 1e-5),
        };
        if (config.NumAttentionHeads <= 0 || config.HiddenSize % config.NumAttentionHeads != 0)
            throw new ConfigException(c.Source, "num_attention_heads", $"= {config.NumAttentionHeads} does not divide hidden_size {config.HiddenSize}");
        return config;
    }

    /// <summary>SD 2.1's OpenCLIP ViT-H/14 text tower as diffusers ships it (23 of its 24 layers: the penultimate-layer convention).</summary>
    public static CLIPTextConfig StableDiffusion21 { get; } = new()
    {
        HiddenSize = 1024, IntermediateSize = 4096, NumHiddenLayers = 23, NumAttentionHeads = 16, HiddenAct = "gelu",
    };
}
