using System.Text.Json.Nodes;
using Probe.Core.Tokenizers;

namespace Probe.Tests.Support;

/// <summary>
/// A chat-model folder as transformers writes one, small enough for tests: a fixture model's config and weights, a
/// byte-level tokenizer.json whose 256 byte tokens and three special tokens fit the model's vocabulary, and a ChatML
/// chat template in tokenizer_config.json (the Qwen layout).
/// </summary>
public static class TinyChatFolder
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    public const string Template =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /// <summary>A fixture model of tests/fixtures/llm (qwen2-tiny, llama-tiny, qwen3-tiny).</summary>
    public static string FixtureModel(string name) => Path.Combine(Fixtures.Root, "llm", "models", name);

    /// <summary>Writes the folder for fixture model <paramref name="modelDir"/> into <paramref name="target"/>.</summary>
    public static string Create(string modelDir, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in new[] { "config.json", "generation_config.json", "model.safetensors" })
            File.Copy(Path.Combine(modelDir, file), Path.Combine(target, file), overwrite: true);
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++) vocab[Spelled((byte)b)] = b;
        JsonNode Added(int id, string content) => new JsonObject
        {
            ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
            ["normalized"] = false, ["special"] = true,
        };
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(Added(256, "<|endoftext|>"), Added(257, ImStart), Added(258, ImEnd)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "", ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false, ["vocab"] = vocab, ["merges"] = new JsonArray(),
            },
        };
        File.WriteAllText(Path.Combine(target, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(target, "tokenizer_config.json"), new JsonObject
        {
            ["eos_token"] = ImEnd,
            ["pad_token"] = "<|endoftext|>",
            ["clean_up_tokenization_spaces"] = false,
            ["chat_template"] = Template,
        }.ToJsonString());
        return target;
    }

    /// <summary>The byte-level spelling of one byte (GPT-2's byte-to-unicode table).</summary>
    static string Spelled(byte b)
    {
        for (var c = (char)0; c < 0x200; c++)
            if (ByteLevel.TryGetByte(c, out var v) && v == b) return c.ToString();
        throw new InvalidOperationException($"byte {b} has no byte-level character");
    }
}
