using System.Globalization;
using System.Text;

namespace Probe.Llm.ChatTemplates;

/// <summary>
/// Python's printf-style <c>str % args</c> (used by Jinja2's <c>format</c> filter and the <c>%</c> operator):
/// conversions s r d i f F e E x X o c and %%, flags - + space 0, width, precision, and <c>%(name)s</c> with a dict.
/// </summary>
static class Printf
{
    public static string Format(string format, object? args)
    {
        var items = args is PyTuple t ? t.Items : [args];
        var mapping = args as PyDict;
        var next = 0;
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%') { sb.Append(format[i]); continue; }
            if (++i >= format.Length) throw new JinjaError("incomplete format");
            object? value = null;
            var haveValue = false;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                if (close < 0 || mapping is null) throw new JinjaError("format requires a mapping");
                if (!mapping.TryGet(format[(i + 1)..close], out value)) throw new JinjaError($"KeyError: '{format[(i + 1)..close]}'");
                haveValue = true;
                i = close + 1;
            }
            var flags = "";
            while (i < format.Length && "-+ 0#".Contains(format[i])) flags += format[i++];
            var width = 0;
            while (i < format.Length && char.IsAsciiDigit(format[i])) width = width * 10 + (format[i++] - '0');
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                var p = 0;
                while (i < format.Length && char.IsAsciiDigit(format[i])) p = p * 10 + (format[i++] - '0');
                precision = p;
            }
            if (i >= format.Length) throw new JinjaError("incomplete format");
            var conv = format[i];
            if (conv == '%') { sb.Append('%'); continue; }
            if (!haveValue)
            {
                if (mapping is not null) throw new JinjaError("format requires a mapping");
                if (next >= items.Length) throw new JinjaError("not enough arguments for format string");
                value = items[next++];
            }
            sb.Append(Pad(Convert(conv, value, flags, precision), width, flags));
        }
        if (mapping is null && next < items.Length) throw new JinjaError("not all arguments converted during string formatting");
        return sb.ToString();
    }

    static string Convert(char conv, object? v, string flags, int? precision)
    {
        var inv = CultureInfo.InvariantCulture;
        string Sign(string body, bool negative) => negative ? "-" + body : flags.Contains('+') ? "+" + body : flags.Contains(' ') ? " " + body : body;
        switch (conv)
        {
            case 's': { var s = Py.Str(v); return precision is { } p ? s[..Math.Min(p, s.Length)] : s; }
            case 'r': return Py.Repr(v);
            case 'd' or 'i' or 'u':
                {
                    if (!Py.IsNumber(v)) throw new JinjaError($"%{conv} format: a real number is required, not {Py.TypeName(v)}");
                    var l = (long)Math.Truncate(Py.ToDouble(v));
                    if (v is long exact) l = exact;
                    return Sign(Math.Abs(l).ToString(inv), l < 0);
                }
            case 'f' or 'F' or 'e' or 'E':
                {
                    if (!Py.IsNumber(v)) throw new JinjaError($"must be real number, not {Py.TypeName(v)}");
                    var d = Py.ToDouble(v);
                    var body = Math.Abs(d).ToString((conv is 'f' or 'F' ? "F" : conv == 'e' ? "e" : "E") + (precision ?? 6), inv);
                    if (conv is 'e' or 'E') body = body.Replace("e+0", "e+", StringComparison.Ordinal).Replace("e-0", "e-", StringComparison.Ordinal)
                        .Replace("E+0", "E+", StringComparison.Ordinal).Replace("E-0", "E-", StringComparison.Ordinal);
                    return Sign(body, d < 0 || double.IsNegative(d));
                }
            case 'x' or 'X' or 'o':
                {
                    if (v is not (long or bool)) throw new JinjaError($"%{conv} format: an integer is required, not {Py.TypeName(v)}");
                    var l = (long)Py.ToDouble(v);
                    var body = conv == 'o' ? System.Convert.ToString(Math.Abs(l), 8) : Math.Abs(l).ToString(conv == 'x' ? "x" : "X", inv);
                    return Sign(body, l < 0);
                }
            case 'c': return v is string c ? c : char.ConvertFromUtf32((int)Py.ToDouble(v));
            default: throw new JinjaError($"unsupported format character '{conv}'");
        }
    }

    static string Pad(string s, int width, string flags)
    {
        if (s.Length >= width) return s;
        if (flags.Contains('-')) return s.PadRight(width);
        if (flags.Contains('0') && s.Length > 0 && (char.IsAsciiDigit(s[^1]) || s[^1] is '.'))
        {
            var signLength = s[0] is '-' or '+' or ' ' ? 1 : 0;
            return s[..signLength] + new string('0', width - s.Length) + s[signLength..];
        }
        return s.PadLeft(width);
    }
}
