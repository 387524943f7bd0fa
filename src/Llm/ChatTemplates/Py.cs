using System.Globalization;
using System.Text;

namespace Probe.Llm.ChatTemplates;

/// <summary>Python 3 value semantics the templates rely on: truthiness, str(), repr(), ==, ordering, len, iteration.</summary>
static class Py
{
    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        PyTuple => "tuple",
        PyDict => "dict",
        Undefined => "Undefined",
        Namespace => "Namespace",
        LoopContext => "LoopContext",
        Macro => "Macro",
        PyIterator it => it.TypeName,
        _ => "builtin_function_or_method",
    };

    public static bool Truthy(object? v) => v switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        PyTuple t => t.Items.Length > 0,
        PyDict d => d.Items.Count > 0,
        PyIterator { IsView: true } view => view.ViewCount > 0,
        _ => true, // includes iterators: a generator is truthy even when it yields nothing
    };

    /// <summary>Jinja2 output of <c>{{ v }}</c> and Python's str(v); Undefined prints as "".</summary>
    public static string Str(object? v) => v switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(v),
    };

    public static string Repr(object? v)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, v);
        return sb.ToString();
    }

    static void AppendRepr(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case null: sb.Append("None"); break;
            case bool b: sb.Append(b ? "True" : "False"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(FloatRepr(d)); break;
            case string s: AppendStringRepr(sb, s); break;
            case Undefined: break;
            case List<object?> list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++) { if (i > 0) sb.Append(", "); AppendRepr(sb, list[i]); }
                sb.Append(']');
                break;
            case PyTuple t:
                sb.Append('(');
                for (var i = 0; i < t.Items.Length; i++) { if (i > 0) sb.Append(", "); AppendRepr(sb, t.Items[i]); }
                sb.Append(t.Items.Length == 1 ? ",)" : ")");
                break;
            case PyDict d:
                sb.Append('{');
                var first = true;
                foreach (var (k, val) in d.Items)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendRepr(sb, k);
                    sb.Append(": ");
                    AppendRepr(sb, val);
                }
                sb.Append('}');
                break;
            case PyIterator { IsView: true } view:
                sb.Append(view.TypeName).Append('(');
                AppendRepr(sb, view.Snapshot());
                sb.Append(')');
                break;
            case Namespace ns:
                sb.Append("<Namespace {");
                var firstAttr = true;
                foreach (var (k, val) in ns.Attributes)
                {
                    if (!firstAttr) sb.Append(", ");
                    firstAttr = false;
                    AppendStringRepr(sb, k);
                    sb.Append(": ");
                    AppendRepr(sb, val);
                }
                sb.Append("}>");
                break;
            default:
                throw new JinjaError($"printing a {TypeName(v)} object is not supported (Python prints its memory address)");
        }
    }

    /// <summary>Python's repr(str): single quotes unless the text has ' and no ", non-printable characters escaped.</summary>
    static void AppendStringRepr(StringBuilder sb, string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        foreach (var r in s.EnumerateRunes())
        {
            var c = r.Value;
            if (c == quote || c == '\\') sb.Append('\\').Append((char)c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (IsPrintable(r)) sb.Append(r.ToString());
            else if (c < 0x100) sb.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}");
            else if (c < 0x10000) sb.Append(CultureInfo.InvariantCulture, $"\\u{c:x4}");
            else sb.Append(CultureInfo.InvariantCulture, $"\\U{c:x8}");
        }
        sb.Append(quote);
    }

    /// <summary>Python's str.isprintable for one code point: not in Cc, Cf, Cs, Co, Cn, Zl, Zp, or Zs other than space.</summary>
    static bool IsPrintable(Rune r)
    {
        if (r.Value == ' ') return true;
        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>Python's repr(float): shortest round-trip digits, scientific when the exponent is &lt; -4 or ≥ 16.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        // Shortest round-trip digits come from "R"; re-derive mantissa digits and exponent from it.
        var shortest = d.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative) shortest = shortest[1..];
        var ePos = shortest.IndexOfAny(['E', 'e']);
        var mantissa = ePos < 0 ? shortest : shortest[..ePos];
        var exp10 = ePos < 0 ? 0 : int.Parse(shortest[(ePos + 1)..], CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var intPart = dot < 0 ? mantissa : mantissa[..dot];
        var fracPart = dot < 0 ? "" : mantissa[(dot + 1)..];
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;
        // decimal exponent of the first significant digit
        var exponent = intPart.Length - 1 - leadingZeros + exp10;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        string body;
        if (exponent < -4 || exponent >= 16)
        {
            var m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            body = m + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        }
        else if (exponent < 0)
            body = "0." + new string('0', -exponent - 1) + digits;
        else if (digits.Length <= exponent + 1)
            body = digits + new string('0', exponent + 1 - digits.Length) + ".0";
        else
            body = digits[..(exponent + 1)] + "." + digits[(exponent + 1)..];
        return negative ? "-" + body : body;
    }

    public static bool IsNumber(object? v) => v is long or double or bool;

    public static double ToDouble(object? v) => v switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new JinjaError($"expected a number, got {TypeName(v)}"),
    };

    public static bool Eq(object? a, object? b)
    {
        switch (a)
        {
            case null: return b is null;
            case Undefined: return b is Undefined;
            case string s: return b is string t && s == t;
            case long or double or bool when IsNumber(b):
                if (a is double || b is double) return ToDouble(a) == ToDouble(b);
                return ToLong(a) == ToLong(b);
            case List<object?> l:
                return b is List<object?> m && l.Count == m.Count && l.Zip(m).All(p => Eq(p.First, p.Second));
            case PyTuple tu:
                return b is PyTuple u && tu.Items.Length == u.Items.Length && tu.Items.Zip(u.Items).All(p => Eq(p.First, p.Second));
            case PyDict d:
                if (b is not PyDict e || d.Items.Count != e.Items.Count) return false;
                foreach (var (k, v) in d.Items)
                    if (!e.TryGet(k, out var w) || !Eq(v, w)) return false;
                return true;
            default: return ReferenceEquals(a, b);
        }
    }

    static long ToLong(object? v) => v switch { long l => l, bool b => b ? 1 : 0, _ => throw new JinjaError("expected an integer") };

    /// <summary>Python ordering (&lt; &gt;) for numbers, strings (by code point) and sequences; other pairs raise TypeError.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? ToDouble(a).CompareTo(ToDouble(b)) : ToLong(a).CompareTo(ToLong(b));
        if (a is string s && b is string t) return CompareCodePoints(s, t);
        if ((a is List<object?> && b is List<object?>) || (a is PyTuple && b is PyTuple))
        {
            var x = Iterate(a).ToList();
            var y = Iterate(b).ToList();
            for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
                if (!Eq(x[i], y[i])) return Compare(x[i], y[i], op);
            return x.Count.CompareTo(y.Count);
        }
        throw new JinjaError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    static int CompareCodePoints(string a, string b)
    {
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var ha = ea.MoveNext();
            var hb = eb.MoveNext();
            if (!ha || !hb) return ha.CompareTo(hb);
            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0) return c;
        }
    }

    /// <summary>Python iteration; Undefined iterates as empty (Jinja2's default Undefined).</summary>
    public static IEnumerable<object?> Iterate(object? v) => v switch
    {
        List<object?> l => l,
        PyTuple t => t.Items,
        PyDict d => d.Items.Keys,
        string s => Chars(s),
        Undefined => [],
        PyIterator it => it.Iterate(),
        Namespace => throw new JinjaError("'Namespace' object is not iterable"),
        _ => throw new JinjaError($"'{TypeName(v)}' object is not iterable"),
    };

    public static long Len(object? v) => v switch
    {
        string s => CodePointCount(s),
        List<object?> l => l.Count,
        PyTuple t => t.Items.Length,
        PyDict d => d.Items.Count,
        Undefined => 0,
        PyIterator { IsView: true } view => view.ViewCount,
        _ => throw new JinjaError($"object of type '{TypeName(v)}' has no len()"),
    };

    // Python strings are sequences of code points; .NET strings of UTF-16 units. Indexing, slicing and len() use
    // code points so an emoji counts as one character, as in Python.
    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    public static long CodePointCount(string s) => HasSurrogates(s) ? s.EnumerateRunes().Count() : s.Length;

    public static List<object?> Chars(string s) =>
        HasSurrogates(s) ? [.. s.EnumerateRunes().Select(r => (object?)r.ToString())] : [.. s.Select(c => (object?)c.ToString())];

    /// <summary>Python's str.isspace for one UTF-16 unit (includes \x1c-\x1f, which .NET does not count).</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static string Strip(string s, string? chars, bool left, bool right)
    {
        Func<char, bool> strip = chars is null ? IsSpace : chars.Contains;
        var start = 0;
        var end = s.Length;
        if (left) while (start < end && strip(s[start])) start++;
        if (right) while (end > start && strip(s[end - 1])) end--;
        return s[start..end];
    }

    /// <summary>
    /// Python's str.upper uses the full Unicode case mapping (SpecialCasing.txt): "ß" becomes "SS" and the Latin
    /// ligatures expand; .NET's ToUpperInvariant maps one char to one char and leaves them.
    /// </summary>
    public static string Upper(string s)
    {
        var upper = s.ToUpperInvariant();
        if (upper.AsSpan().IndexOfAny("ßŉﬀﬁﬂﬃﬄﬅﬆ") < 0) return upper;
        return upper.Replace("ß", "SS", StringComparison.Ordinal).Replace("ŉ", "ʼN", StringComparison.Ordinal)
            .Replace("ﬀ", "FF", StringComparison.Ordinal).Replace("ﬁ", "FI", StringComparison.Ordinal)
            .Replace("ﬂ", "FL", StringComparison.Ordinal).Replace("ﬃ", "FFI", StringComparison.Ordinal)
            .Replace("ﬄ", "FFL", StringComparison.Ordinal).Replace("ﬅ", "ST", StringComparison.Ordinal)
            .Replace("ﬆ", "ST", StringComparison.Ordinal);
    }

    public static string RStrip(string s) => Strip(s, null, left: false, right: true);
}
