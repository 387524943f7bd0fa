using System.Globalization;
using System.Text;

namespace Probe.Llm.ChatTemplates;

enum TokenKind { Data, VariableBegin, VariableEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, End }

readonly record struct Token(TokenKind Kind, string Text, int Position, object? Value = null)
{
    public bool IsName(string text) => Kind == TokenKind.Name && Text == text;
    public bool IsOp(string text) => Kind == TokenKind.Operator && Text == text;
}

/// <summary>
/// Splits a template into data and tag tokens the way Jinja2 3.1's lexer does with <c>trim_blocks=True</c> and
/// <c>lstrip_blocks=True</c> (transformers 4.51's environment):
/// <list type="bullet">
/// <item>newlines are normalised to \n and one trailing newline of the source is dropped (keep_trailing_newline=False);</item>
/// <item><c>{%-</c> / <c>{{-</c> / <c>{#-</c> strip all whitespace before the tag, <c>-%}</c> / <c>-}}</c> / <c>-#}</c> all after;</item>
/// <item>trim_blocks drops the single \n after a block or comment tag (not after <c>+%}</c>, not after <c>{% raw %}</c>);</item>
/// <item>lstrip_blocks drops spaces/tabs between the line start and a block or comment tag (not <c>{%+</c>, not <c>{{</c>).</item>
/// </list>
/// Inside tags, <c>}}</c> / <c>%}</c> only end the tag when no bracket is open (Jinja's balancing stack).
/// </summary>
sealed class Lexer
{
    static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"];

    readonly string _src;
    readonly List<Token> _tokens = [];
    int _pos;
    bool _lineStarting = true;

    Lexer(string source) => _src = source;

    /// <summary>Jinja2 normalises \r\n and \r to \n and removes one trailing newline before lexing.</summary>
    public static string Normalize(string source)
    {
        var s = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return s.EndsWith('\n') ? s[..^1] : s;
    }

    public static List<Token> Tokenize(string normalizedSource)
    {
        var lexer = new Lexer(normalizedSource);
        lexer.Run();
        return lexer._tokens;
    }

    void Run()
    {
        var afterTag = AfterTag.None;
        while (_pos <= _src.Length)
        {
            var start = FindTagStart(_pos);
            var data = _src[_pos..(start < 0 ? _src.Length : start)];
            var dataPos = _pos;
            if (start < 0)
            {
                AddData(data, dataPos, afterTag, TagLead.None);
                break;
            }
            var kind = _src[start + 1];
            var modifier = start + 2 < _src.Length ? _src[start + 2] : '\0';
            var lead = modifier == '-' ? TagLead.StripAll
                : kind != '{' && modifier != '+' ? TagLead.LStripLine : TagLead.None;
            AddData(data, dataPos, afterTag, lead);
            _pos = start + 2 + (modifier is '-' or '+' ? 1 : 0);
            afterTag = kind switch
            {
                '#' => LexComment(start),
                '{' => LexTag(start, TokenKind.VariableBegin, TokenKind.VariableEnd, '}'),
                _ => LexBlockOrRaw(start),
            };
        }
        _tokens.Add(new Token(TokenKind.End, "", _src.Length));
    }

    enum AfterTag { None, StripAll, TrimNewline }
    enum TagLead { None, StripAll, LStripLine }

    int FindTagStart(int from)
    {
        for (var i = _src.IndexOf('{', from); i >= 0 && i + 1 < _src.Length; i = _src.IndexOf('{', i + 1))
            if (_src[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    void AddData(string data, int position, AfterTag afterTag, TagLead lead)
    {
        // What the previous tag's end consumed (Jinja's block_end regex eats "\s*" after "-%}" and "\n?" after "%}").
        var skipped = 0;
        if (afterTag == AfterTag.StripAll)
            while (skipped < data.Length && Py.IsSpace(data[skipped])) skipped++;
        else if (afterTag == AfterTag.TrimNewline && data.StartsWith('\n'))
            skipped = 1;
        if (afterTag != AfterTag.None)
            _lineStarting = skipped > 0 ? data[skipped - 1] == '\n' : _lineStarting;
        data = data[skipped..];
        position += skipped;
        if (lead == TagLead.StripAll)
            data = Py.RStrip(data);
        else if (lead == TagLead.LStripLine)
        {
            var lineStart = data.LastIndexOf('\n') + 1;
            if ((lineStart > 0 || _lineStarting) && IsBlank(data, lineStart))
                data = data[..lineStart];
        }
        if (data.Length > 0) _tokens.Add(new Token(TokenKind.Data, data, position));
    }

    /// <summary>Jinja2's <c>\s+</c> full match from <paramref name="from"/> to the end (non-empty, whitespace only).</summary>
    static bool IsBlank(string s, int from)
    {
        if (from >= s.Length) return false;
        for (var i = from; i < s.Length; i++)
            if (!Py.IsSpace(s[i])) return false;
        return true;
    }

    AfterTag LexComment(int start)
    {
        var close = _src.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (close < 0) throw new JinjaError("missing end of comment tag", start);
        var strip = close > _pos && _src[close - 1] == '-';
        var plus = close > _pos && _src[close - 1] == '+';
        _pos = close + 2;
        return Ended(strip, plus);
    }

    AfterTag Ended(bool stripAll, bool plus)
    {
        _lineStarting = _pos > 0 && _src[_pos - 1] == '\n';
        return stripAll ? AfterTag.StripAll : plus ? AfterTag.None : AfterTag.TrimNewline;
    }

    AfterTag LexBlockOrRaw(int start)
    {
        var first = _tokens.Count;
        var after = LexTag(start, TokenKind.BlockBegin, TokenKind.BlockEnd, '%');
        // {% raw %} ... {% endraw %}: the body is data, verbatim; no trim_blocks newline after the raw tag itself.
        if (_tokens.Count == first + 3 && _tokens[first + 1].IsName("raw"))
        {
            _tokens.RemoveRange(first, 3);
            var bodyStart = _pos;
            if (after == AfterTag.StripAll)
                while (bodyStart < _src.Length && Py.IsSpace(_src[bodyStart])) bodyStart++;
            var (endStart, bodyEnd) = FindEndRaw(bodyStart, start);
            var body = _src[bodyStart..endStart];
            var endModifier = _src[endStart + 2];
            if (endModifier == '-') body = Py.RStrip(body);
            else if (endModifier != '+')
            {
                var lineStart = body.LastIndexOf('\n') + 1;
                if (lineStart > 0 && IsBlank(body, lineStart))
                    body = body[..lineStart];
            }
            if (body.Length > 0) _tokens.Add(new Token(TokenKind.Data, body, bodyStart));
            _pos = bodyEnd;
            var strip = _src[bodyEnd - 3] == '-';
            var plus = _src[bodyEnd - 3] == '+';
            return Ended(strip, plus);
        }
        return after;
    }

    (int TagStart, int TagEnd) FindEndRaw(int from, int rawStart)
    {
        for (var i = _src.IndexOf("{%", from, StringComparison.Ordinal); i >= 0; i = _src.IndexOf("{%", i + 1, StringComparison.Ordinal))
        {
            var j = i + 2;
            if (j < _src.Length && _src[j] is '-' or '+') j++;
            while (j < _src.Length && Py.IsSpace(_src[j])) j++;
            if (string.CompareOrdinal(_src, j, "endraw", 0, 6) != 0) continue;
            j += 6;
            while (j < _src.Length && Py.IsSpace(_src[j])) j++;
            if (j < _src.Length && _src[j] is '-' or '+') j++;
            if (string.CompareOrdinal(_src, j, "%}", 0, 2) == 0) return (i, j + 2);
        }
        throw new JinjaError("missing {% endraw %} for this {% raw %}", rawStart);
    }

    /// <summary>Lexes the inside of <c>{{ … }}</c> or <c>{% … %}</c> up to its end delimiter at bracket depth 0.</summary>
    AfterTag LexTag(int start, TokenKind beginKind, TokenKind endKind, char closer)
    {
        _tokens.Add(new Token(beginKind, _src.Substring(start, 2), start));
        var depth = 0;
        while (true)
        {
            while (_pos < _src.Length && Py.IsSpace(_src[_pos])) _pos++;
            if (_pos >= _src.Length)
                throw new JinjaError(beginKind == TokenKind.BlockBegin ? "unexpected end of template: the block tag is not closed with '%}'" : "unexpected end of template: the expression is not closed with '}}'", start);
            var c = _src[_pos];
            if (depth == 0)
            {
                var stripAll = c == '-' && At(_pos + 1, closer, '}');
                var plus = closer == '%' && c == '+' && At(_pos + 1, closer, '}');
                if (stripAll || plus || At(_pos, closer, '}'))
                {
                    var tokenPos = _pos;
                    _pos += stripAll || plus ? 3 : 2;
                    _tokens.Add(new Token(endKind, _src[tokenPos.._pos], tokenPos));
                    var after = Ended(stripAll, plus);
                    return endKind == TokenKind.VariableEnd && after == AfterTag.TrimNewline ? AfterTag.None : after;
                }
            }
            if (char.IsAsciiLetter(c) || c == '_') LexName();
            else if (char.IsAsciiDigit(c)) LexNumber();
            else if (c is '\'' or '"') LexString();
            else
            {
                var op = Array.Find(Operators, o => string.CompareOrdinal(_src, _pos, o, 0, o.Length) == 0)
                    ?? throw new JinjaError($"unexpected character '{c}'", _pos);
                if (op is "(" or "[" or "{") depth++;
                else if (op is ")" or "]" or "}")
                {
                    if (depth == 0) throw new JinjaError($"unexpected '{op}'", _pos);
                    depth--;
                }
                _tokens.Add(new Token(TokenKind.Operator, op, _pos));
                _pos += op.Length;
            }
        }
    }

    bool At(int i, char a, char b) => i + 1 < _src.Length && _src[i] == a && _src[i + 1] == b;

    void LexName()
    {
        var s = _pos;
        while (_pos < _src.Length && (char.IsAsciiLetterOrDigit(_src[_pos]) || _src[_pos] == '_')) _pos++;
        _tokens.Add(new Token(TokenKind.Name, _src[s.._pos], s));
    }

    void LexNumber()
    {
        var s = _pos;
        var isFloat = false;
        void Digits()
        {
            while (_pos < _src.Length && (char.IsAsciiDigit(_src[_pos]) || (_src[_pos] == '_' && _pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1])))) _pos++;
        }
        Digits();
        if (_pos + 1 < _src.Length && _src[_pos] == '.' && char.IsAsciiDigit(_src[_pos + 1]))
        {
            isFloat = true;
            _pos++;
            Digits();
        }
        if (_pos < _src.Length && _src[_pos] is 'e' or 'E')
        {
            var save = _pos;
            _pos++;
            if (_pos < _src.Length && _src[_pos] is '+' or '-') _pos++;
            if (_pos < _src.Length && char.IsAsciiDigit(_src[_pos]))
            {
                isFloat = true;
                Digits();
            }
            else _pos = save;
        }
        var text = _src[s.._pos].Replace("_", "", StringComparison.Ordinal);
        object value = isFloat
            ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? (object)l
                : throw new JinjaError($"integer literal {text} is too large for this interpreter (64-bit)", s);
        _tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, _src[s.._pos], s, value));
    }

    /// <summary>
    /// Jinja2 decodes string literals with Python's "unicode-escape" codec (after backslash-replacing non-ASCII), so
    /// the Python escapes work and an unknown escape such as <c>\d</c> keeps its backslash.
    /// </summary>
    void LexString()
    {
        var s = _pos;
        var quote = _src[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _src.Length) throw new JinjaError("unterminated string literal", s);
            var c = _src[_pos++];
            if (c == quote) break;
            if (c != '\\') { sb.Append(c); continue; }
            if (_pos >= _src.Length) throw new JinjaError("unterminated string literal", s);
            var e = _src[_pos++];
            switch (e)
            {
                case '\n': break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'x': sb.Append(HexEscape(2, s)); break;
                case 'u': sb.Append(HexEscape(4, s)); break;
                case 'U': sb.Append(HexEscape(8, s)); break;
                case >= '0' and <= '7':
                    var v = e - '0';
                    for (var k = 0; k < 2 && _pos < _src.Length && _src[_pos] is >= '0' and <= '7'; k++) v = v * 8 + (_src[_pos++] - '0');
                    sb.Append(char.ConvertFromUtf32(v));
                    break;
                case 'N': throw new JinjaError("\\N{...} escapes in string literals are not supported", s);
                default: sb.Append('\\').Append(e); break;
            }
        }
        _tokens.Add(new Token(TokenKind.String, _src[s.._pos], s, sb.ToString()));
    }

    string HexEscape(int digits, int literalStart)
    {
        if (_pos + digits > _src.Length || !int.TryParse(_src.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
            throw new JinjaError("truncated \\x, \\u or \\U escape in string literal", literalStart);
        _pos += digits;
        return char.ConvertFromUtf32(v);
    }
}
