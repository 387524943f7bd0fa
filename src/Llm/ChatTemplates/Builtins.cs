using System.Globalization;
using System.Text;

namespace Probe.Llm.ChatTemplates;

/// <summary>Attribute and item access, and the Python methods templates call on str, dict and list values.</summary>
static partial class Builtins
{
    /// <summary>Methods ImmutableSandboxedEnvironment refuses (they would modify a list or dict).</summary>
    static readonly HashSet<string> Mutators =
        ["append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "setdefault", "popitem", "add", "discard"];

    /// <summary><c>obj.name</c>: Jinja2 tries the Python attribute first, then the item (so <c>msg.role</c> reads a key).</summary>
    public static object? GetAttribute(object? obj, string name)
    {
        switch (obj)
        {
            case Undefined u: throw u.Fail();
            case Namespace ns: return ns.Attributes.TryGetValue(name, out var v) ? v : Undefined.Missing(obj, name);
            case LoopContext loop: return loop.Attribute(name);
        }
        if (Method(obj, name) is { } method) return method;
        if ((obj is PyDict or List<object?>) && Mutators.Contains(name))
            return new Undefined($"access to attribute '{name}' of '{Py.TypeName(obj)}' object is unsafe");
        if (obj is PyDict d && d.TryGet(name, out var item)) return item;
        return Undefined.Missing(obj, name);
    }

    /// <summary><c>obj[key]</c>: Jinja2 tries the item first, then (for a string key) the attribute.</summary>
    public static object? GetItem(object? obj, object? key)
    {
        switch (obj)
        {
            case Undefined u: throw u.Fail();
            case PyDict d:
                if (d.TryGet(key, out var v)) return v;
                break;
            case List<object?> or PyTuple or string when key is long or bool:
                {
                    var items = obj is string s ? Py.Chars(s) : Py.Iterate(obj).ToList();
                    var i = key is bool b ? (b ? 1 : 0) : (long)key;
                    if (i < 0) i += items.Count;
                    if (i >= 0 && i < items.Count) return items[(int)i];
                    return new Undefined($"'{Py.TypeName(obj)} object' has no element {key}");
                }
        }
        if (key is string name) return GetAttribute(obj, name);
        return new Undefined($"'{Py.TypeName(obj)} object' has no element {Py.Repr(key)}");
    }

    /// <summary>Python slicing <c>x[start:stop:step]</c> of a list, tuple or str (by code point).</summary>
    public static object? Slice(object? obj, object? start, object? stop, object? step)
    {
        if (obj is Undefined u) throw u.Fail();
        List<object?> items = obj switch
        {
            string s => Py.Chars(s),
            List<object?> l => l,
            PyTuple t => [.. t.Items],
            _ => null!,
        };
        if (items is null) return new Undefined($"'{Py.TypeName(obj)} object' is not subscriptable");
        var n = (long)items.Count;
        long Index(object? v, string what) => v is long or bool ? (long)Py.ToDouble(v)
            : throw new JinjaError($"slice {what} must be an integer or None, not {Py.TypeName(v)}");
        var st = step is null ? 1 : Index(step, "step");
        if (st == 0) throw new JinjaError("slice step cannot be zero");
        long Clamp(object? v, long dflt, long lo, long hi)
        {
            if (v is null) return dflt;
            var i = Index(v, "index");
            if (i < 0) i += n;
            return Math.Clamp(i, lo, hi);
        }
        var result = new List<object?>();
        if (st > 0)
        {
            for (long i = Clamp(start, 0, 0, n), e = Clamp(stop, n, 0, n); i < e; i += st) result.Add(items[(int)i]);
        }
        else
        {
            for (long i = Clamp(start, n - 1, -1, n - 1), e = Clamp(stop, -1, -1, n - 1); i > e; i += st) result.Add(items[(int)i]);
        }
        return obj switch
        {
            string => string.Concat(result.Cast<string>()),
            PyTuple => new PyTuple([.. result]),
            _ => result,
        };
    }

    static BuiltinFunction? Method(object? obj, string name) => obj switch
    {
        string s => StringMethod(s, name),
        PyDict d => DictMethod(d, name),
        List<object?> l => name switch
        {
            "index" => new("list.index", a => { a.Check("index", "value"); var i = l.FindIndex(x => Py.Eq(x, a.Get(0, "value", null))); return i >= 0 ? (long)i : throw new JinjaError("value is not in list"); }),
            "count" => new("list.count", a => { a.Check("count", "value"); return (long)l.Count(x => Py.Eq(x, a.Get(0, "value", null))); }),
            "copy" => new("list.copy", _ => l.ToList()),
            _ => null,
        },
        _ => null,
    };

    static BuiltinFunction? DictMethod(PyDict d, string name) => name switch
    {
        "items" => new("dict.items", a => { a.Check("items"); return new PyIterator("dict_items", [.. d.Items.Select(kv => (object?)new PyTuple([kv.Key, kv.Value]))], isView: true); }),
        "keys" => new("dict.keys", a => { a.Check("keys"); return new PyIterator("dict_keys", [.. d.Items.Keys], isView: true); }),
        "values" => new("dict.values", a => { a.Check("values"); return new PyIterator("dict_values", [.. d.Items.Values], isView: true); }),
        "get" => new("dict.get", a =>
        {
            if (a.Positional.Count is < 1 or > 2 || a.Named.Count > 0) throw new JinjaError("get expected 1 or 2 positional arguments");
            return d.TryGet(a.Positional[0], out var v) ? v : a.Positional.Count > 1 ? a.Positional[1] : null;
        }),
        "copy" => new("dict.copy", _ => { var c = new PyDict(); foreach (var (k, v) in d.Items) c.Items[k] = v; return c; }),
        _ => null,
    };

    static string Str(Args a, int i, string name, string what)
    {
        var v = a.Get(i, name, null);
        return v as string ?? throw new JinjaError($"{what}() argument must be str, not {Py.TypeName(v)}");
    }

    static string? OptStr(Args a, int i, string name, string what)
    {
        var v = a.Get(i, name, null);
        return v is null ? null : v as string ?? throw new JinjaError($"{what}() argument must be str or None, not {Py.TypeName(v)}");
    }

    static BuiltinFunction? StringMethod(string s, string name) => name switch
    {
        "strip" => new(name, a => { a.Check(name, "chars"); return Py.Strip(s, OptStr(a, 0, "chars", name), true, true); }),
        "lstrip" => new(name, a => { a.Check(name, "chars"); return Py.Strip(s, OptStr(a, 0, "chars", name), true, false); }),
        "rstrip" => new(name, a => { a.Check(name, "chars"); return Py.Strip(s, OptStr(a, 0, "chars", name), false, true); }),
        "split" => new(name, a => { a.Check(name, "sep", "maxsplit"); return Split(s, OptStr(a, 0, "sep", name), (long)Py.ToDouble(a.Get(1, "maxsplit", -1L))); }),
        "rsplit" => new(name, a => { a.Check(name, "sep", "maxsplit"); return RSplit(s, OptStr(a, 0, "sep", name), (long)Py.ToDouble(a.Get(1, "maxsplit", -1L))); }),
        "splitlines" => new(name, a =>
        {
            a.Check(name, "keepends");
            var keep = Py.Truthy(a.Get(0, "keepends", false));
            var lines = new List<object?>();
            var startAt = 0;
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')) continue;
                var end = i;
                if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
                lines.Add(keep ? s[startAt..(i + 1)] : s[startAt..end]);
                startAt = i + 1;
            }
            if (startAt < s.Length) lines.Add(s[startAt..]);
            return lines;
        }),
        "startswith" => new(name, a => { a.Check(name, "prefix"); return Affix(a.Get(0, "prefix", null), name, p => s.StartsWith(p, StringComparison.Ordinal)); }),
        "endswith" => new(name, a => { a.Check(name, "suffix"); return Affix(a.Get(0, "suffix", null), name, p => s.EndsWith(p, StringComparison.Ordinal)); }),
        "replace" => new(name, a =>
        {
            a.Check(name, "old", "new", "count");
            return Replace(s, Str(a, 0, "old", name), Str(a, 1, "new", name), (long)Py.ToDouble(a.Get(2, "count", -1L)));
        }),
        "upper" => new(name, _ => Py.Upper(s)),
        "lower" => new(name, _ => s.ToLowerInvariant()),
        "title" => new(name, _ => Title(s)),
        "capitalize" => new(name, _ => s.Length == 0 ? s : Py.Upper(s[..1]) + s[1..].ToLowerInvariant()),
        "swapcase" => new(name, _ => string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)))),
        "find" => new(name, a => { a.Check(name, "sub"); return CodePointIndex(s, s.IndexOf(Str(a, 0, "sub", name), StringComparison.Ordinal)); }),
        "rfind" => new(name, a => { a.Check(name, "sub"); return CodePointIndex(s, s.LastIndexOf(Str(a, 0, "sub", name), StringComparison.Ordinal)); }),
        "index" => new(name, a =>
        {
            a.Check(name, "sub");
            var i = s.IndexOf(Str(a, 0, "sub", name), StringComparison.Ordinal);
            return i >= 0 ? CodePointIndex(s, i) : throw new JinjaError("substring not found");
        }),
        "count" => new(name, a =>
        {
            a.Check(name, "sub");
            var sub = Str(a, 0, "sub", name);
            if (sub.Length == 0) return Py.CodePointCount(s) + 1;
            long n = 0;
            for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
            return n;
        }),
        "join" => new(name, a => { a.Check(name, "iterable"); return string.Join(s, Py.Iterate(a.Get(0, "iterable", null)).Select(x => x as string ?? throw new JinjaError($"sequence item: expected str instance, {Py.TypeName(x)} found"))); }),
        "removeprefix" => new(name, a => { var p = Str(a, 0, "prefix", name); return s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s; }),
        "removesuffix" => new(name, a => { var p = Str(a, 0, "suffix", name); return p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s; }),
        "isdigit" => new(name, _ => s.Length > 0 && s.All(char.IsDigit)),
        "isnumeric" => new(name, _ => s.Length > 0 && s.All(char.IsNumber)),
        "isalpha" => new(name, _ => s.Length > 0 && s.All(char.IsLetter)),
        "isalnum" => new(name, _ => s.Length > 0 && s.All(char.IsLetterOrDigit)),
        "isspace" => new(name, _ => s.Length > 0 && s.All(Py.IsSpace)),
        "isupper" => new(name, _ => s.Any(char.IsLetter) && !s.Any(char.IsLower)),
        "islower" => new(name, _ => s.Any(char.IsLetter) && !s.Any(char.IsUpper)),
        "format" => new(name, a => Format(s, a)),
        _ => null,
    };

    static long CodePointIndex(string s, int utf16Index) =>
        utf16Index < 0 ? -1 : Py.CodePointCount(s[..utf16Index]);

    static bool Affix(object? arg, string what, Func<string, bool> test) => arg switch
    {
        string p => test(p),
        PyTuple t => t.Items.Any(x => x is string p ? test(p) : throw new JinjaError($"tuple for {what} must only contain str")),
        _ => throw new JinjaError($"{what} first arg must be str or a tuple of str, not {Py.TypeName(arg)}"),
    };

    static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0) return old.Length == 0 ? InsertEverywhere(s, replacement) : s.Replace(old, replacement, StringComparison.Ordinal);
        var sb = new StringBuilder();
        var pos = 0;
        for (long n = 0; n < count; n++)
        {
            var i = old.Length == 0 ? (pos <= s.Length ? pos : -1) : s.IndexOf(old, pos, StringComparison.Ordinal);
            if (i < 0) break;
            sb.Append(s, pos, i - pos).Append(replacement);
            if (old.Length == 0)
            {
                if (i < s.Length) sb.Append(s[i]);
                pos = i + 1;
            }
            else pos = i + old.Length;
        }
        if (pos < s.Length) sb.Append(s, pos, s.Length - pos);
        return sb.ToString();
    }

    static string InsertEverywhere(string s, string r) => r + string.Concat(s.Select(c => c + r));

    /// <summary>Python's str.split: no separator splits on runs of whitespace and drops empty pieces.</summary>
    static List<object?> Split(string s, string? sep, long maxsplit)
    {
        var parts = new List<object?>();
        if (sep is null)
        {
            var i = 0;
            while (true)
            {
                while (i < s.Length && Py.IsSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxsplit >= 0 && parts.Count == maxsplit) { parts.Add(s[i..]); break; }
                var j = i;
                while (j < s.Length && !Py.IsSpace(s[j])) j++;
                parts.Add(s[i..j]);
                i = j;
            }
            return parts;
        }
        if (sep.Length == 0) throw new JinjaError("empty separator");
        var pos = 0;
        while (maxsplit < 0 || parts.Count < maxsplit)
        {
            var k = s.IndexOf(sep, pos, StringComparison.Ordinal);
            if (k < 0) break;
            parts.Add(s[pos..k]);
            pos = k + sep.Length;
        }
        parts.Add(s[pos..]);
        return parts;
    }

    static List<object?> RSplit(string s, string? sep, long maxsplit)
    {
        if (maxsplit < 0) return Split(s, sep, -1);
        if (sep is null)
        {
            var rev = Split(new string(s.Reverse().ToArray()), null, maxsplit);
            rev.Reverse();
            return [.. rev.Select(p => (object?)new string(((string)p!).Reverse().ToArray()))];
        }
        if (sep.Length == 0) throw new JinjaError("empty separator");
        var parts = new List<object?>();
        var end = s.Length;
        while (parts.Count < maxsplit)
        {
            var k = end - sep.Length < 0 ? -1 : s.LastIndexOf(sep, end - 1, StringComparison.Ordinal);
            if (k < 0 || k + sep.Length > end) break;
            parts.Insert(0, s[(k + sep.Length)..end]);
            end = k;
        }
        parts.Insert(0, s[..end]);
        return parts;
    }

    /// <summary>Python's str.title: a letter after a cased letter is lowered, any other letter is upper-cased.</summary>
    static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var prevCased = false;
        foreach (var c in s)
        {
            sb.Append(prevCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            prevCased = char.IsUpper(c) || char.IsLower(c);
        }
        return sb.ToString();
    }

    /// <summary>str.format with <c>{}</c>, <c>{0}</c>, <c>{name}</c> and <c>{{ }}</c>; format specs are not supported.</summary>
    static string Format(string s, Args a)
    {
        var sb = new StringBuilder();
        var auto = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '{' && i + 1 < s.Length && s[i + 1] == '{') { sb.Append('{'); i++; continue; }
            if (c == '}' && i + 1 < s.Length && s[i + 1] == '}') { sb.Append('}'); i++; continue; }
            if (c != '{') { sb.Append(c); continue; }
            var close = s.IndexOf('}', i);
            if (close < 0) throw new JinjaError("Single '{' encountered in format string");
            var field = s[(i + 1)..close];
            if (field.Contains(':') || field.Contains('!')) throw new JinjaError("format specs and conversions in str.format are not supported");
            object? v = field.Length == 0 ? a.Get(auto++, "\0", null)
                : int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var idx) ? a.Get(idx, "\0", null)
                : a.Named.Find(n => n.Name == field).Value;
            sb.Append(Py.Str(v));
            i = close;
        }
        return sb.ToString();
    }
}
