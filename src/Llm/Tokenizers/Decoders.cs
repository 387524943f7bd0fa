using System.Globalization;
using System.Text;
using System.Text.Json;
using Probe.Core.Tokenizers;

namespace Probe.Llm.Tokenizers;

/// <summary>A tokenizer.json decoder (tokenizers 0.21 <c>decoders</c>): token strings in, strings out, then concatenated.</summary>
internal interface IDecoder
{
    List<string> DecodeChain(List<string> tokens);
}

internal static class Decoders
{
    const string Supported = "ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence";

    public static IDecoder? Read(JsonElement json, TokenizerJson file, string where)
    {
        if (json.ValueKind == JsonValueKind.Null) return null;
        var type = file.Type(json, where);
        switch (type)
        {
            case "ByteLevel": return new ByteLevelDecoder();
            case "Replace": return new Replace(file.Pattern(json, "pattern", where), file.String(json, "content", where));
            case "ByteFallback": return new ByteFallback();
            case "Fuse": return new Fuse();
            case "Strip":
                var content = file.String(json, "content", where);
                if (content.Length != 1) throw file.Error($"{where}.content", $"'{content}' must be one character");
                return new Strip(content[0], file.Int(json, "start", where, 0), file.Int(json, "stop", where, 0));
            case "Metaspace":
                var replacement = file.String(json, "replacement", where);
                var scheme = file.OptionalString(json, "prepend_scheme", where) ?? (file.Bool(json, "add_prefix_space", where, true) ? "always" : "never");
                return new Metaspace(replacement, scheme != "never");
            case "Sequence":
                return new Sequence(file.Array(json, "decoders", where).EnumerateArray()
                    .Select((d, i) => Read(d, file, $"{where}.decoders[{i}]") ?? throw file.Error($"{where}.decoders[{i}]", "is null")).ToArray());
            default:
                throw file.Unknown(where, type, Supported);
        }
    }

    // Invalid UTF-8 becomes U+FFFD per maximal invalid subsequence, as Rust's String::from_utf8_lossy; .NET's decoder
    // follows the same Unicode recommendation.
    static readonly UTF8Encoding Lossy = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// tokenizers 0.21 <c>decoders::byte_level</c>: a token whose characters are all in the byte table becomes those
    /// bytes, any other token (an added token such as "&lt;think&gt;" spelled in plain text) its own UTF-8; all bytes
    /// of all tokens are then decoded as one string.
    /// </summary>
    sealed class ByteLevelDecoder : IDecoder
    {
        public List<string> DecodeChain(List<string> tokens)
        {
            var bytes = new List<byte>();
            foreach (var token in tokens)
            {
                var start = bytes.Count;
                var inTable = true;
                foreach (var c in token)
                {
                    if (!ByteLevel.TryGetByte(c, out var b)) { inTable = false; break; }
                    bytes.Add(b);
                }
                if (inTable) continue;
                bytes.RemoveRange(start, bytes.Count - start);
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
            }
            return [Lossy.GetString(bytes.ToArray())];
        }
    }

    sealed class Replace(CodePointRegex pattern, string content) : IDecoder
    {
        public List<string> DecodeChain(List<string> tokens) => tokens.Select(t => pattern.Replace(t, content)).ToList();
    }

    /// <summary>
    /// tokenizers 0.21 <c>decoders::byte_fallback</c>: runs of <c>&lt;0xNN&gt;</c> tokens become the string they spell,
    /// or one U+FFFD per byte token when the run is not valid UTF-8.
    /// </summary>
    sealed class ByteFallback : IDecoder
    {
        static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

        public List<string> DecodeChain(List<string> tokens)
        {
            var result = new List<string>(tokens.Count);
            var pending = new List<byte>();
            foreach (var token in tokens)
            {
                if (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
                    && byte.TryParse(token.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    pending.Add(b);
                    continue;
                }
                Flush();
                result.Add(token);
            }
            Flush();
            return result;

            void Flush()
            {
                if (pending.Count == 0) return;
                try
                {
                    result.Add(Strict.GetString(pending.ToArray()));
                }
                catch (DecoderFallbackException)
                {
                    for (var i = 0; i < pending.Count; i++) result.Add("\uFFFD");
                }
                pending.Clear();
            }
        }
    }

    sealed class Fuse : IDecoder
    {
        public List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
    }

    // tokenizers 0.21 `decoders::strip`: up to `start` leading and `stop` trailing `content` characters of each token.
    sealed class Strip(char content, int start, int stop) : IDecoder
    {
        public List<string> DecodeChain(List<string> tokens) => tokens.Select(t =>
        {
            var from = 0;
            while (from < t.Length && from < start && t[from] == content) from++;
            var to = t.Length;
            while (to > from && t.Length - to < stop && t[to - 1] == content) to--;
            return t[from..to];
        }).ToList();
    }

    // tokenizers 0.21 `decoders::metaspace`: ▁ becomes a space, and the first token loses its leading one when a
    // prefix was prepended at encoding.
    sealed class Metaspace(string replacement, bool prefixed) : IDecoder
    {
        public List<string> DecodeChain(List<string> tokens)
        {
            var result = new List<string>(tokens.Count);
            for (var i = 0; i < tokens.Count; i++)
            {
                var t = tokens[i].Replace(replacement, " ", StringComparison.Ordinal);
                if (i == 0 && prefixed && t.StartsWith(' ')) t = t[1..];
                result.Add(t);
            }
            return result;
        }
    }

    sealed class Sequence(IDecoder[] steps) : IDecoder
    {
        public List<string> DecodeChain(List<string> tokens)
        {
            foreach (var s in steps) tokens = s.DecodeChain(tokens);
            return tokens;
        }
    }
}
