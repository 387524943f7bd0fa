using System.Text.Json;
using Probe.Core.Configuration;

namespace Probe.Llm.Models;

/// <summary>The decoder families Probe implements; they share one decoder and differ only in these switches.</summary>
public enum DecoderFamily
{
    Qwen2,
    Qwen3,
    Llama,
}

/// <summary>
/// The config.json keys of transformers 4.51's <c>Qwen2Config</c>, <c>Qwen3Config</c> and <c>LlamaConfig</c> that
/// define the network, with each family's defaults for absent keys. Keys that would change the math in ways Probe does
/// not implement are refused (<see cref="FromFile"/>).
/// </summary>
public sealed record CausalLMConfig
{
    public required DecoderFamily Family { get; init; }
    public required string ModelType { get; init; }
    public string? Architecture { get; init; }
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int HeadDim { get; init; }
    public required double RmsNormEps { get; init; }
    public required double RopeTheta { get; init; }
    public RopeScaling? RopeScaling { get; init; }
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Bias on q_proj, k_proj, v_proj.</summary>
    public bool QkvBias { get; init; }

    /// <summary>Bias on o_proj.</summary>
    public bool OutputBias { get; init; }

    /// <summary>Bias on gate_proj, up_proj, down_proj (Llama's <c>mlp_bias</c>).</summary>
    public bool MlpBias { get; init; }

    /// <summary>Qwen3's per-head RMSNorm on queries and keys before RoPE.</summary>
    public bool QkNorm { get; init; }

    /// <summary>
    /// Qwen2/Qwen3's <c>sliding_window</c> as transformers 4.51's eager mask applies it: to every layer whenever it is
    /// not null, whatever <c>use_sliding_window</c> says (FORMAT.md "Sliding window").
    /// </summary>
    public int? SlidingWindow { get; init; }

    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    public int? PadTokenId { get; init; }

    public static CausalLMConfig FromFile(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"{path}: file not found");
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 32, AllowTrailingCommas = true });
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"{path}: not valid JSON ({e.Message})", e);
        }
        return FromJson(root, path);
    }

    public static CausalLMConfig FromJson(JsonElement root, string source)
    {
        var c = new ConfigJson(root, source);
        var modelType = c.String("model_type") ?? throw new ModelLoadException($"{source}: 'model_type' is missing");
        var architecture = c.StringList("architectures", []).FirstOrDefault();
        var family = modelType switch
        {
            "qwen2" => DecoderFamily.Qwen2,
            "qwen3" => DecoderFamily.Qwen3,
            "llama" => DecoderFamily.Llama,
            _ => throw new ModelLoadException(
                $"{source}: model_type '{modelType}' (architecture {architecture ?? "unnamed"}) is not supported (supported: qwen2, qwen3, llama)"),
        };

        var act = c.String("hidden_act", "silu");
        if (act != "silu") throw new ModelLoadException($"{source}: 'hidden_act' = '{act}' is not supported (only silu)");
        var hidden = c.Int("hidden_size", 0);
        var heads = c.Int("num_attention_heads", 0);
        var layers = c.Int("num_hidden_layers", 0);
        var kvHeads = c.Int("num_key_value_heads", heads);
        foreach (var (key, value) in new[] { ("hidden_size", hidden), ("num_attention_heads", heads), ("num_hidden_layers", layers), ("num_key_value_heads", kvHeads) })
            if (value <= 0) throw new ModelLoadException($"{source}: '{key}' must be a positive integer, found {value}");
        if (heads % kvHeads != 0)
            throw new ModelLoadException($"{source}: 'num_attention_heads' {heads} is not a multiple of 'num_key_value_heads' {kvHeads}");

        // head_dim: Qwen2 and Llama take hidden/heads when absent (modeling_qwen2 getattr fallback, LlamaConfig);
        // Qwen3Config's own default is 128, which is what transformers uses for a qwen3 config.json without the key.
        var headDim = c.OptionalInt("head_dim") ?? (family == DecoderFamily.Qwen3 ? 128 : hidden / heads);
        if (headDim <= 0 || headDim % 2 != 0) throw new ModelLoadException($"{source}: 'head_dim' {headDim} must be a positive even number (RoPE rotates halves)");
        if (c.OptionalInt("head_dim") is null && family != DecoderFamily.Qwen3 && hidden % heads != 0)
            throw new ModelLoadException($"{source}: 'head_dim' is absent and hidden_size {hidden} is not a multiple of num_attention_heads {heads}");

        var attentionBias = c.Bool("attention_bias", false);
        int? window = null;
        if (family is DecoderFamily.Qwen2 or DecoderFamily.Qwen3)
        {
            window = c.OptionalInt("sliding_window");
            if (window is <= 0) throw new ModelLoadException($"{source}: 'sliding_window' must be null or positive, found {window}");
        }
        // Llama's pretraining_tp is ignored: transformers 4.51's Llama forward no longer reads it.

        return new CausalLMConfig
        {
            Family = family,
            ModelType = modelType,
            Architecture = architecture,
            VocabSize = Positive(c, "vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = Positive(c, "intermediate_size"),
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            RmsNormEps = c.Double("rms_norm_eps", 1e-6),
            RopeTheta = c.Double("rope_theta", 10000.0),
            RopeScaling = RopeScaling.FromConfig(root, source),
            TieWordEmbeddings = c.Bool("tie_word_embeddings", false),
            // Qwen2Attention: q/k/v with bias, o_proj without, no config key (modeling_qwen2.py).
            QkvBias = family == DecoderFamily.Qwen2 || attentionBias,
            OutputBias = family != DecoderFamily.Qwen2 && attentionBias,
            MlpBias = family == DecoderFamily.Llama && c.Bool("mlp_bias", false),
            QkNorm = family == DecoderFamily.Qwen3,
            SlidingWindow = window,
            BosTokenId = c.OptionalInt("bos_token_id"),
            EosTokenIds = IntOrList(c, root, "eos_token_id"),
            PadTokenId = c.OptionalInt("pad_token_id"),
        };
    }

    static int Positive(ConfigJson c, string key)
    {
        var value = c.Int(key, 0);
        return value > 0 ? value : throw new ModelLoadException($"{c.Source}: '{key}' must be a positive integer, found {(c.Has(key) ? value : "nothing")}");
    }

    static int[] IntOrList(ConfigJson c, JsonElement root, string key)
    {
        if (!c.Has(key)) return [];
        return root.GetProperty(key).ValueKind == JsonValueKind.Array ? c.IntList(key, []) : [c.Int(key, 0)];
    }
}
