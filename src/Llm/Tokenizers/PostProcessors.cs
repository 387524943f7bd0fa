using System.Text.Json;

namespace Probe.Llm.Tokenizers;

/// <summary>A tokenizer.json post-processor (tokenizers 0.21 <c>processors</c>), run only when special tokens are added.</summary>
internal interface IPostProcessor
{
    void AddSpecialTokens(List<int> ids, List<string> tokens);
}

internal static class PostProcessors
{
    const string Supported = "TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence";

    public static IPostProcessor? Read(JsonElement json, TokenizerJson file, string where)
    {
        if (json.ValueKind == JsonValueKind.Null) return null;
        var type = file.Type(json, where);
        return type switch
        {
            "TemplateProcessing" => ReadTemplate(json, file, where),
            // ByteLevel only trims offsets, which this tokenizer does not report.
            "ByteLevel" => new Fixed([], []),
            "RobertaProcessing" or "BertProcessing" => new Fixed([IdAndToken(json, "cls", file, where)], [IdAndToken(json, "sep", file, where)]),
            "Sequence" => new Sequence(file.Array(json, "processors", where).EnumerateArray()
                .Select((p, i) => Read(p, file, $"{where}.processors[{i}]") ?? throw file.Error($"{where}.processors[{i}]", "is null")).ToArray()),
            _ => throw file.Unknown(where, type, Supported),
        };
    }

    // "cls": ["<s>", 0]
    static (int Id, string Token) IdAndToken(JsonElement json, string name, TokenizerJson file, string where)
    {
        var v = file.Property(json, name, where);
        if (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 2 && v[0].ValueKind == JsonValueKind.String && v[1].TryGetInt32(out var id))
            return (id, v[0].GetString()!);
        throw file.Error($"{where}.{name}", $"expected [token, id], found {v.GetRawText()}");
    }

    // The "single" template: SpecialToken entries name an entry of "special_tokens" (its ids and tokens are inserted),
    // the Sequence entry stands for the encoded text. "pair" is for two-sequence inputs, which this tokenizer does not take.
    static Fixed ReadTemplate(JsonElement json, TokenizerJson file, string where)
    {
        var specials = file.Property(json, "special_tokens", where);
        List<(int, string)> before = [], after = [];
        var seenSequence = false;
        var single = file.Array(json, "single", where);
        for (var i = 0; i < single.GetArrayLength(); i++)
        {
            var piece = single[i];
            var at = $"{where}.single[{i}]";
            if (piece.TryGetProperty("Sequence", out _))
            {
                if (seenSequence) throw file.Error(at, "a single-sequence template holds more than one Sequence");
                seenSequence = true;
                continue;
            }
            if (!piece.TryGetProperty("SpecialToken", out var st)) throw file.Error(at, $"expected SpecialToken or Sequence, found {piece.GetRawText()}");
            var name = file.String(st, "id", at);
            if (!specials.TryGetProperty(name, out var entry)) throw file.Error(at, $"special token '{name}' is not in {where}.special_tokens");
            var ids = file.Array(entry, "ids", $"{where}.special_tokens.{name}").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            var tokens = file.Array(entry, "tokens", $"{where}.special_tokens.{name}").EnumerateArray().Select(x => x.GetString()!).ToArray();
            if (ids.Length != tokens.Length) throw file.Error($"{where}.special_tokens.{name}", $"has {ids.Length} ids but {tokens.Length} tokens");
            (seenSequence ? after : before).AddRange(ids.Zip(tokens));
        }
        if (!seenSequence) throw file.Error($"{where}.single", "has no Sequence entry");
        return new Fixed(before, after);
    }

    sealed class Fixed(IReadOnlyList<(int Id, string Token)> before, IReadOnlyList<(int Id, string Token)> after) : IPostProcessor
    {
        public void AddSpecialTokens(List<int> ids, List<string> tokens)
        {
            ids.InsertRange(0, before.Select(b => b.Id));
            tokens.InsertRange(0, before.Select(b => b.Token));
            ids.AddRange(after.Select(a => a.Id));
            tokens.AddRange(after.Select(a => a.Token));
        }
    }

    sealed class Sequence(IPostProcessor[] steps) : IPostProcessor
    {
        public void AddSpecialTokens(List<int> ids, List<string> tokens)
        {
            foreach (var s in steps) s.AddSpecialTokens(ids, tokens);
        }
    }
}
