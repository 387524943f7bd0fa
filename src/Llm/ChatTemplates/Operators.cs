namespace Probe.Llm.ChatTemplates;

/// <summary>Python 3 arithmetic and comparison operators (int is 64-bit here; Python's is unbounded).</summary>
static class Operators
{
    public static object? Binary(string op, object? a, object? b)
    {
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        switch (op)
        {
            case "+":
                if (a is string sa && b is string sb) return sa + sb;
                if (a is List<object?> la && b is List<object?> lb) return (List<object?>)[.. la, .. lb];
                if (a is PyTuple ta && b is PyTuple tb) return new PyTuple([.. ta.Items, .. tb.Items]);
                if (a is string or List<object?> or PyTuple)
                    throw new JinjaError($"can only concatenate {Py.TypeName(a)} (not \"{Py.TypeName(b)}\") to {Py.TypeName(a)}");
                return Arith(op, a, b, (x, y) => checked(x + y), (x, y) => x + y);
            case "-": return Arith(op, a, b, (x, y) => checked(x - y), (x, y) => x - y);
            case "*":
                if (a is string s && IsInt(b)) return Repeat(s, ToInt(b));
                if (b is string s2 && IsInt(a)) return Repeat(s2, ToInt(a));
                if (a is List<object?> l && IsInt(b)) return Enumerable.Repeat(l, (int)Math.Max(0, ToInt(b))).SelectMany(x => x).ToList();
                return Arith(op, a, b, (x, y) => checked(x * y), (x, y) => x * y);
            case "/":
                Numbers(op, a, b);
                if (Py.ToDouble(b) == 0) throw new JinjaError("division by zero");
                return Py.ToDouble(a) / Py.ToDouble(b);
            case "//":
                Numbers(op, a, b);
                if (Py.ToDouble(b) == 0) throw new JinjaError("integer division or modulo by zero");
                if (IsInt(a) && IsInt(b)) return FloorDiv(ToInt(a), ToInt(b));
                return Math.Floor(Py.ToDouble(a) / Py.ToDouble(b));
            case "%":
                if (a is string fmt) return Printf.Format(fmt, b);
                Numbers(op, a, b);
                if (Py.ToDouble(b) == 0) throw new JinjaError("integer division or modulo by zero");
                if (IsInt(a) && IsInt(b)) { var (x, y) = (ToInt(a), ToInt(b)); return x - FloorDiv(x, y) * y; }
                {
                    var (x, y) = (Py.ToDouble(a), Py.ToDouble(b));
                    var m = x % y;
                    return m != 0 && (m < 0) != (y < 0) ? m + y : m;
                }
            case "**":
                Numbers(op, a, b);
                if (IsInt(a) && IsInt(b) && ToInt(b) >= 0)
                {
                    long r = 1, x = ToInt(a);
                    for (var e = ToInt(b); e > 0; e--) r = checked(r * x);
                    return r;
                }
                return Math.Pow(Py.ToDouble(a), Py.ToDouble(b));
            default:
                throw new JinjaError($"unsupported operator '{op}'");
        }
    }

    static string Repeat(string s, long n) => n <= 0 ? "" : string.Concat(Enumerable.Repeat(s, (int)n));

    static bool IsInt(object? v) => v is long or bool;

    static long ToInt(object? v) => v is bool b ? (b ? 1 : 0) : (long)v!;

    static long FloorDiv(long x, long y)
    {
        var q = x / y;
        return (x % y != 0) && ((x < 0) != (y < 0)) ? q - 1 : q;
    }

    static void Numbers(string op, object? a, object? b)
    {
        if (!Py.IsNumber(a) || !Py.IsNumber(b))
            throw new JinjaError($"unsupported operand type(s) for {op}: '{Py.TypeName(a)}' and '{Py.TypeName(b)}'");
    }

    static object Arith(string op, object? a, object? b, Func<long, long, long> ints, Func<double, double, double> floats)
    {
        Numbers(op, a, b);
        if (IsInt(a) && IsInt(b))
        {
            try { return ints(ToInt(a), ToInt(b)); }
            catch (OverflowException) { throw new JinjaError("integer overflow (this interpreter's ints are 64-bit)"); }
        }
        return floats(Py.ToDouble(a), Py.ToDouble(b));
    }

    public static object? Unary(string op, object? v)
    {
        if (v is Undefined u) throw u.Fail();
        if (!Py.IsNumber(v)) throw new JinjaError($"bad operand type for unary {op}: '{Py.TypeName(v)}'");
        if (op == "+") return v is bool b ? (b ? 1L : 0L) : v;
        return v is double d ? -d : (object)-ToInt(v);
    }

    public static bool Compare(string op, object? a, object? b)
    {
        switch (op)
        {
            case "==": return Py.Eq(a, b);
            case "!=": return !Py.Eq(a, b);
            case "in": return Contains(b, a);
            case "notin": return !Contains(b, a);
        }
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        var c = Py.Compare(a, b, op);
        return op switch { "<" => c < 0, ">" => c > 0, "<=" => c <= 0, _ => c >= 0 };
    }

    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string t ? s.Contains(t, StringComparison.Ordinal)
            : throw new JinjaError($"'in <string>' requires string as left operand, not {Py.TypeName(item)}"),
        List<object?> l => l.Exists(x => Py.Eq(x, item)),
        PyTuple t => t.Items.Any(x => Py.Eq(x, item)),
        PyDict d => item is not null && !PyKeyComparer.IsHashable(item)
            ? throw new JinjaError($"unhashable type: '{Py.TypeName(item)}'")
            : d.TryGet(item, out _),
        Undefined => false,
        PyIterator it => it.Iterate().Any(x => Py.Eq(x, item)),
        _ => throw new JinjaError($"argument of type '{Py.TypeName(container)}' is not iterable"),
    };
}
