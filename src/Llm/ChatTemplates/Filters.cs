using System.Globalization;
using System.Text.RegularExpressions;

namespace Probe.Llm.ChatTemplates;

/// <summary>Jinja2 3.1 builtin filters and tests (jinja2/filters.py, jinja2/tests.py) and transformers' tojson.</summary>
static partial class Builtins
{
    static readonly HashSet<string> FilterNames =
    [
        "abs", "attr", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
        "forceescape", "format", "int", "items", "indent", "join", "last", "length", "list", "lower", "map", "max", "min", "reject",
        "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title",
        "tojson", "trim", "unique", "upper", "wordcount",
    ];

    static readonly HashSet<string> TestNames =
    [
        "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "==", "escaped", "even", "false", "filter",
        "float", "ge", ">=", "gt", ">", "greaterthan", "in", "integer", "iterable", "le", "<=", "lower", "lt", "<",
        "lessthan", "mapping", "ne", "!=", "none", "number", "odd", "sameas", "sequence", "string", "test", "true",
        "undefined", "upper",
    ];

    public static bool HasFilter(string name) => FilterNames.Contains(name);

    public static bool HasTest(string name) => TestNames.Contains(name);

    public static object? Filter(string name, object? v, Args a)
    {
        switch (name)
        {
            case "tojson":
                a.Check("tojson", "ensure_ascii", "indent", "separators", "sort_keys");
                return PythonJson.Dumps(v, Py.Truthy(a.Get(0, "ensure_ascii", false)), a.Get(1, "indent", null),
                    a.Get(2, "separators", null), Py.Truthy(a.Get(3, "sort_keys", false)));
            case "default" or "d":
                {
                    a.Check(name, "default_value", "boolean");
                    var useDefault = v is Undefined || (Py.Truthy(a.Get(1, "boolean", false)) && !Py.Truthy(v));
                    return useDefault ? a.Get(0, "default_value", "") : v;
                }
            case "safe" or "string":
                return Py.Str(v);
            case "format":
                // Jinja2's do_format: soft_str(value) % (kwargs or args)
                if (a.Positional.Count > 0 && a.Named.Count > 0) throw new JinjaError("can't handle positional and keyword arguments at the same time");
                if (a.Named.Count > 0)
                {
                    var d = new PyDict();
                    foreach (var (k, val) in a.Named) d.Items[k] = val;
                    return Printf.Format(Py.Str(v), d);
                }
                return Printf.Format(Py.Str(v), new PyTuple([.. a.Positional]));
        }
        // Everything else reads its input; Undefined raises except where Jinja2 treats it as empty.
        switch (name)
        {
            case "length" or "count": return Py.Len(v);
            case "list": return Py.Iterate(v).ToList();
            case "first": return Py.Iterate(v).Take(1).ToList() is [var f] ? f : new Undefined("No first item, sequence was empty.");
            case "last":
                {
                    if (v is PyIterator { IsView: false } it) throw new JinjaError($"'{it.TypeName}' object is not reversible");
                    var items = Py.Iterate(v).ToList();
                    return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
                }
            case "items":
                if (v is Undefined) return new PyIterator("generator", []);
                if (v is not PyDict d) throw new JinjaError("Can only get item pairs from a mapping.");
                return new PyIterator("dict_itemiterator", [.. d.Items.Select(kv => (object?)new PyTuple([kv.Key, kv.Value]))]);
            case "join":
                {
                    a.Check("join", "d", "attribute");
                    var items = Py.Iterate(v);
                    if (a.Get(1, "attribute", null) is { } attr) items = items.Select(AttributeGetter(attr, null));
                    return string.Join(Py.Str(a.Get(0, "d", "")), items.Select(Py.Str));
                }
            case "reverse":
                {
                    // Jinja2's do_reverse: value[::-1] for str, else reversed(value), else a reversed list copy.
                    if (v is string rs) return Slice(rs, null, null, -1L);
                    var reversible = v is not PyIterator { IsView: false };
                    var items = Py.Iterate(v).ToList();
                    items.Reverse();
                    if (!reversible) return items;
                    return new PyIterator(v switch
                    {
                        PyIterator view => view.TypeName.Replace("dict_", "dict_reverse", StringComparison.Ordinal) + "iterator",
                        List<object?> => "list_reverseiterator",
                        PyTuple => "reversed",
                        _ => "reversed",
                    }, items);
                }
            case "map": return new PyIterator("generator", Map(v, a));
            case "select" or "reject": return new PyIterator("generator", Select(v, a, name == "select", byAttribute: false));
            case "selectattr" or "rejectattr": return new PyIterator("generator", Select(v, a, name == "selectattr", byAttribute: true));
            case "unique": return new PyIterator("generator", Unique(v, a));
            case "sort": return Sort(v, a);
            case "dictsort": return DictSort(v, a);
            case "min" or "max": return MinMax(v, a, name == "max");
            case "sum":
                {
                    a.Check("sum", "attribute", "start");
                    var items = Py.Iterate(v);
                    if (a.Get(0, "attribute", null) is { } attr) items = items.Select(AttributeGetter(attr, null));
                    return items.Aggregate(a.Get(1, "start", 0L), (acc, x) => Operators.Binary("+", acc, x));
                }
            case "attr":
                return GetAttribute(v, Str(a, 0, "name", "attr"));
        }
        if (v is Undefined u)
        {
            // The string filters call soft_str/str first, and str(Undefined) is ""; the others raise like Python's int(Undefined).
            if (name is "indent" or "int" or "float" or "abs" or "round") throw u.Fail();
            v = "";
        }
        switch (name)
        {
            case "trim":
                a.Check("trim", "chars");
                return Py.Strip(Py.Str(v), OptStr(a, 0, "chars", "trim"), true, true);
            case "upper": return Py.Upper(Py.Str(v));
            case "lower": return Py.Str(v).ToLowerInvariant();
            case "capitalize": { var s = Py.Str(v); return s.Length == 0 ? s : Py.Upper(s[..1]) + s[1..].ToLowerInvariant(); }
            case "title": return JinjaTitle(Py.Str(v));
            case "replace":
                a.Check("replace", "old", "new", "count");
                return Replace(Py.Str(v), Py.Str(a.Get(0, "old", "")), Py.Str(a.Get(1, "new", "")), a.Get(2, "count", null) is { } c ? (long)Py.ToDouble(c) : -1);
            case "indent": return Indent(Py.Str(v), a);
            case "center":
                {
                    var s = Py.Str(v);
                    var width = (int)Py.ToDouble(a.Get(0, "width", 80L));
                    if (s.Length >= width) return s;
                    var total = width - s.Length;
                    var left = total / 2 + (total & width & 1); // CPython's centre rounding
                    return new string(' ', left) + s + new string(' ', total - left);
                }
            case "wordcount": return (long)WordRegex().Count(Py.Str(v));
            case "int": return ToInt(v, a);
            case "float": return ToFloat(v, a);
            case "abs": return v is double dd ? Math.Abs(dd) : v is long or bool ? (object)Math.Abs((long)Py.ToDouble(v)) : throw new JinjaError($"bad operand type for abs(): '{Py.TypeName(v)}'");
            case "round":
                {
                    a.Check("round", "precision", "method");
                    var precision = (int)Py.ToDouble(a.Get(0, "precision", 0L));
                    var method = Py.Str(a.Get(1, "method", "common"));
                    var x = Py.ToDouble(v);
                    var scale = Math.Pow(10, precision);
                    return method switch
                    {
                        "common" => PythonRound(x, precision),
                        "ceil" => Math.Ceiling(x * scale) / scale,
                        "floor" => Math.Floor(x * scale) / scale,
                        _ => throw new JinjaError("method must be common, ceil or floor"),
                    };
                }
            case "escape" or "e" or "forceescape":
                return Py.Str(v).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
                    .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&#34;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);
        }
        throw new JinjaError($"no filter named '{name}'");
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginningRegex();

    /// <summary>Jinja2's title filter (not str.title): capitalises each piece after a run of - space ( { [ &lt;.</summary>
    static string JinjaTitle(string s) => string.Concat(WordBeginningRegex().Split(s).Where(p => p.Length > 0)
        .Select(p => Py.Upper(p[..1]) + p[1..].ToLowerInvariant()));

    /// <summary>Jinja2 3.1's do_indent, including its "append \n then splitlines" quirk.</summary>
    static string Indent(string s, Args a)
    {
        a.Check("indent", "width", "first", "blank");
        var width = a.Get(0, "width", 4L);
        var indention = width as string ?? new string(' ', (int)Py.ToDouble(width));
        var first = Py.Truthy(a.Get(1, "first", false));
        var blank = Py.Truthy(a.Get(2, "blank", false));
        s += "\n";
        var lines = ((List<object?>)StringMethod(s, "splitlines")!.Call(Args.None)!).Cast<string>().ToList();
        string rv;
        if (blank) rv = string.Join("\n" + indention, lines);
        else
        {
            rv = lines[0];
            if (lines.Count > 1) rv += "\n" + string.Join("\n", lines.Skip(1).Select(l => l.Length > 0 ? indention + l : l));
        }
        return first ? indention + rv : rv;
    }

    static object? ToInt(object? v, Args a)
    {
        a.Check("int", "default", "base");
        var dflt = a.Get(0, "default", 0L);
        var b = (int)Py.ToDouble(a.Get(1, "base", 10L));
        switch (v)
        {
            case long or bool: return (long)Py.ToDouble(v);
            case double d: return double.IsFinite(d) ? (long)Math.Truncate(d) : dflt;
            case string s:
                var t = s.Trim().Replace("_", "", StringComparison.Ordinal);
                try
                {
                    if (b == 10 && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
                    if (b != 10) return Convert.ToInt64(t, b);
                }
                catch (FormatException) { }
                catch (ArgumentException) { }
                return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f) ? (long)Math.Truncate(f) : dflt;
            default: return dflt;
        }
    }

    static object? ToFloat(object? v, Args a)
    {
        a.Check("float", "default");
        var dflt = a.Get(0, "default", 0.0);
        return v switch
        {
            long or bool or double => Py.ToDouble(v),
            string s => s.Trim() switch
            {
                "inf" or "+inf" or "infinity" => double.PositiveInfinity,
                "-inf" or "-infinity" => double.NegativeInfinity,
                "nan" => double.NaN,
                var t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : dflt,
            },
            _ => dflt,
        };
    }

    /// <summary>Jinja2's make_attrgetter: "a.b.0" walks item-then-attribute lookups, integer parts as indexes.</summary>
    static Func<object?, object?> AttributeGetter(object? attribute, object? dflt)
    {
        var parts = Py.Str(attribute).Split('.').Select(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? (object)i : p).ToArray();
        return item =>
        {
            foreach (var p in parts)
            {
                item = GetItem(item, p);
                if (item is Undefined && dflt is not null) return dflt;
            }
            return item;
        };
    }

    static List<object?> Map(object? v, Args a)
    {
        if (a.Named.Exists(n => n.Name == "attribute"))
        {
            var get = AttributeGetter(a.Get(-1, "attribute", null), a.Get(-1, "default", null));
            return Py.Iterate(v).Select(get).ToList();
        }
        if (a.Positional.Count == 0) throw new JinjaError("map requires a filter name or attribute=");
        var filter = Py.Str(a.Positional[0]);
        if (!HasFilter(filter)) throw new JinjaError($"no filter named '{filter}'");
        var rest = new Args([.. a.Positional.Skip(1)], a.Named);
        return Py.Iterate(v).Select(x => Filter(filter, x, rest)).ToList();
    }

    static List<object?> Select(object? v, Args a, bool keep, bool byAttribute)
    {
        var skip = byAttribute ? 1 : 0;
        Func<object?, object?> get = byAttribute
            ? AttributeGetter(a.Positional.Count > 0 ? a.Positional[0] : throw new JinjaError("selectattr/rejectattr need an attribute name"), null)
            : x => x;
        Func<object?, bool> test = a.Positional.Count > skip
            ? x => Test(Py.Str(a.Positional[skip]), x, [.. a.Positional.Skip(skip + 1)])
            : Py.Truthy;
        return Py.Iterate(v).Where(x => test(get(x)) == keep).ToList();
    }

    /// <summary>Jinja2's ignore_case postprocessor: strings compare lower-cased unless case_sensitive.</summary>
    static object? CaseKey(object? x, bool caseSensitive) => !caseSensitive && x is string s ? s.ToLowerInvariant() : x;

    static List<object?> Unique(object? v, Args a)
    {
        a.Check("unique", "case_sensitive", "attribute");
        var cs = Py.Truthy(a.Get(0, "case_sensitive", false));
        var get = a.Get(1, "attribute", null) is { } attr ? AttributeGetter(attr, null) : x => x;
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (var item in Py.Iterate(v))
        {
            var key = CaseKey(get(item), cs);
            if (seen.Exists(s => Py.Eq(s, key))) continue;
            seen.Add(key);
            result.Add(item);
        }
        return result;
    }

    static object? Sort(object? v, Args a)
    {
        a.Check("sort", "reverse", "case_sensitive", "attribute");
        var reverse = Py.Truthy(a.Get(0, "reverse", false));
        var cs = Py.Truthy(a.Get(1, "case_sensitive", false));
        var get = a.Get(2, "attribute", null) is { } attr ? AttributeGetter(attr, null) : x => x;
        var items = Py.Iterate(v).ToList();
        var comparer = Comparer<object?>.Create((x, y) => Py.Compare(CaseKey(get(x), cs), CaseKey(get(y), cs)));
        // Python's sort is stable, also with reverse=True (equal items keep their order).
        return Sorted(() => reverse ? items.OrderByDescending(x => x, comparer).ToList() : items.OrderBy(x => x, comparer).ToList());
    }

    /// <summary>LINQ wraps a comparer's exception; surface the TypeError Jinja2 would raise.</summary>
    static List<object?> Sorted(Func<List<object?>> sort)
    {
        try { return sort(); }
        catch (InvalidOperationException e) when (e.InnerException is JinjaError inner) { throw new JinjaError(inner.Message); }
    }

    /// <summary>
    /// Python's round(x, n) rounds the exact binary value half-to-even (so round(2.675, 2) is 2.67, since 2.675 is
    /// stored as 2.67499…); Math.Round scales first and gets 2.68.
    /// </summary>
    static double PythonRound(double x, int digits)
    {
        if (!double.IsFinite(x) || digits > 300 || Math.Abs(x) >= 4503599627370496.0) return x; // ≥ 2^52: already integral
        if (digits < 0) { var scale = Math.Pow(10, -digits); return Math.Round(x / scale, MidpointRounding.ToEven) * scale; }
        var exact = Math.Abs(x).ToString("F" + (digits + 40), CultureInfo.InvariantCulture); // .NET prints exact digits
        var dot = exact.IndexOf('.');
        var keep = exact[..(dot + 1 + digits)].TrimEnd('.');
        var rest = exact[(dot + 1 + digits)..];
        var roundUp = rest[0] > '5' || (rest[0] == '5' && (rest.AsSpan(1).ContainsAnyExcept('0') || IsOdd(keep)));
        var result = decimal.Parse(keep, CultureInfo.InvariantCulture);
        if (roundUp) result += (decimal)Math.Pow(10, -digits);
        var r = (double)result;
        return x < 0 || double.IsNegative(x) ? -r : r;
    }

    static bool IsOdd(string digits) => (digits.TrimEnd('.')[^1] - '0') % 2 == 1;

    static object? DictSort(object? v, Args a)
    {
        a.Check("dictsort", "case_sensitive", "by", "reverse");
        if (v is not PyDict d) throw new JinjaError("dictsort expects a mapping");
        var cs = Py.Truthy(a.Get(0, "case_sensitive", false));
        var by = Py.Str(a.Get(1, "by", "key"));
        var pos = by switch { "key" => 0, "value" => 1, _ => throw new JinjaError("You can only sort by either \"key\" or \"value\"") };
        var reverse = Py.Truthy(a.Get(2, "reverse", false));
        var items = d.Items.Select(kv => new PyTuple([kv.Key, kv.Value])).ToList();
        var comparer = Comparer<PyTuple>.Create((x, y) => Py.Compare(CaseKey(x.Items[pos], cs), CaseKey(y.Items[pos], cs)));
        return Sorted(() => (reverse ? items.OrderByDescending(x => x, comparer) : items.OrderBy(x => x, comparer)).Select(x => (object?)x).ToList());
    }

    static object? MinMax(object? v, Args a, bool max)
    {
        a.Check(max ? "max" : "min", "case_sensitive", "attribute");
        var cs = Py.Truthy(a.Get(0, "case_sensitive", false));
        var get = a.Get(1, "attribute", null) is { } attr ? AttributeGetter(attr, null) : x => x;
        var items = Py.Iterate(v).ToList();
        if (items.Count == 0) return new Undefined($"No aggregated item, sequence was empty.");
        var best = items[0];
        foreach (var x in items.Skip(1))
        {
            var c = Py.Compare(CaseKey(get(x), cs), CaseKey(get(best), cs));
            if (max ? c > 0 : c < 0) best = x;
        }
        return best;
    }

    public static bool Test(string name, object? v, IReadOnlyList<object?> args)
    {
        object? Arg(int i) => i < args.Count ? args[i] : throw new JinjaError($"test '{name}' needs an argument");
        switch (name)
        {
            case "defined": return v is not Undefined;
            case "undefined": return v is Undefined;
            case "none": return v is null;
            case "boolean": return v is bool;
            case "true": return v is true;
            case "false": return v is false;
            case "string": return v is string;
            case "number": return v is long or double or bool; // Python: bool is a numbers.Number
            case "integer": return v is long;
            case "float": return v is double;
            case "mapping": return v is PyDict;
            case "iterable": return v is string or List<object?> or PyTuple or PyDict or Undefined or PyIterator;
            case "sequence": return v is string or List<object?> or PyTuple or PyDict or Undefined;
            case "callable": return v is ICallable;
            case "lower": return v is string sl && sl == sl.ToLowerInvariant();
            case "upper": return v is string su && su == su.ToUpperInvariant();
            case "escaped": return false;
            case "odd": return Py.ToDouble(v) % 2 is 1 or -1;
            case "even": return Py.ToDouble(v) % 2 == 0;
            case "divisibleby": return Py.ToDouble(v) % Py.ToDouble(Arg(0)) == 0;
            case "sameas": return ReferenceEquals(v, Arg(0)) || (v is null && Arg(0) is null) || (v is bool b1 && Arg(0) is bool b2 && b1 == b2);
            case "eq" or "equalto" or "==": return Operators.Compare("==", v, Arg(0));
            case "ne" or "!=": return Operators.Compare("!=", v, Arg(0));
            case "lt" or "lessthan" or "<": return Operators.Compare("<", v, Arg(0));
            case "le" or "<=": return Operators.Compare("<=", v, Arg(0));
            case "gt" or "greaterthan" or ">": return Operators.Compare(">", v, Arg(0));
            case "ge" or ">=": return Operators.Compare(">=", v, Arg(0));
            case "in": return Operators.Contains(Arg(0), v);
            case "filter": return v is string f && HasFilter(f);
            case "test": return v is string t && HasTest(t);
        }
        throw new JinjaError($"no test named '{name}'");
    }
}
