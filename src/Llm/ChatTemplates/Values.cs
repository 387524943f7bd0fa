namespace Probe.Llm.ChatTemplates;

// Runtime values mirror what Jinja2 sees in Python:
//   null = None, bool, long = int, double = float, string = str, List<object?> = list, PyTuple = tuple,
//   PyDict = dict (insertion-ordered), Undefined, Namespace, ICallable (globals, methods, macros), LoopContext.

/// <summary>
/// Jinja2's default <c>Undefined</c>: prints as "", is falsy, iterates as empty and has length 0; any attribute or
/// item access, call or arithmetic on it raises (with the hint Jinja2 would give).
/// </summary>
sealed class Undefined(string hint)
{
    public string Hint { get; } = hint;

    public static Undefined Named(string name) => new($"'{name}' is undefined");

    public static Undefined Missing(object? owner, string attribute) =>
        new($"'{Py.TypeName(owner)} object' has no attribute '{attribute}'");

    public JinjaError Fail() => new(Hint);
}

sealed class PyTuple(object?[] items)
{
    public object?[] Items { get; } = items;
}

/// <summary>A Python dict: insertion-ordered, keys compared with Python equality (1 == 1.0 == True).</summary>
sealed class PyDict
{
    public OrderedDictionary<object, object?> Items { get; } = new(PyKeyComparer.Instance);

    public object? this[string key] { set => Items[key] = value; }

    public bool TryGet(object? key, out object? value)
    {
        value = null;
        return key is not null && PyKeyComparer.IsHashable(key) && Items.TryGetValue(key, out value);
    }
}

/// <summary>Jinja2's <c>namespace(...)</c>: the one object a template may assign attributes on.</summary>
sealed class Namespace
{
    public OrderedDictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>Positional and keyword arguments of a call, with Python-style binding helpers.</summary>
sealed class Args(List<object?> positional, List<(string Name, object? Value)> named)
{
    public static readonly Args None = new([], []);
    public List<object?> Positional { get; } = positional;
    public List<(string Name, object? Value)> Named { get; } = named;

    /// <summary>Argument <paramref name="index"/> (or keyword <paramref name="name"/>), else <paramref name="fallback"/>.</summary>
    public object? Get(int index, string name, object? fallback)
    {
        if (index >= 0 && index < Positional.Count) return Positional[index];
        foreach (var (n, v) in Named)
            if (n == name) return v;
        return fallback;
    }

    /// <summary>Rejects more positional arguments or other keywords than the callee takes (Python's TypeError).</summary>
    public void Check(string callee, params string[] parameters)
    {
        if (Positional.Count > parameters.Length)
            throw new JinjaError($"{callee}() takes at most {parameters.Length} argument(s) ({Positional.Count} given)");
        foreach (var (n, _) in Named)
            if (Array.IndexOf(parameters, n) < 0)
                throw new JinjaError($"{callee}() got an unexpected keyword argument '{n}'");
    }
}

interface ICallable
{
    object? Call(Args args);
}

sealed class BuiltinFunction(string name, Func<Args, object?> body) : ICallable
{
    public string Name { get; } = name;
    public object? Call(Args args) => body(args);
}

/// <summary>The <c>loop</c> variable of a for loop (Jinja2's LoopContext).</summary>
sealed class LoopContext(IReadOnlyList<object?> items, int depth0, Func<object?, string>? recurse) : ICallable
{
    public int Index0 { get; set; }
    public int Depth0 { get; } = depth0;
    public IReadOnlyList<object?> Items { get; } = items;
    object? _lastChanged = new();

    public object? Attribute(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(Items.Count - Index0),
        "revindex0" => (long)(Items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Items.Count - 1,
        "length" => (long)Items.Count,
        "depth" => (long)Depth0 + 1,
        "depth0" => (long)Depth0,
        "previtem" => Index0 > 0 ? Items[Index0 - 1] : new Undefined("there is no previous item"),
        "nextitem" => Index0 + 1 < Items.Count ? Items[Index0 + 1] : new Undefined("there is no next item"),
        "cycle" => new BuiltinFunction("loop.cycle", a =>
            a.Positional.Count == 0 ? throw new JinjaError("no items for cycling given") : a.Positional[Index0 % a.Positional.Count]),
        "changed" => new BuiltinFunction("loop.changed", a =>
        {
            var value = new PyTuple([.. a.Positional]);
            if (_lastChanged is PyTuple last && Py.Eq(last, value)) return false;
            _lastChanged = value;
            return true;
        }),
        _ => Undefined.Missing(this, name),
    };

    public object? Call(Args args)
    {
        if (recurse is null) throw new JinjaError("the loop must be marked 'recursive' to call loop(...)");
        if (args.Positional.Count != 1) throw new JinjaError("loop() takes exactly one argument");
        return recurse(args.Positional[0]);
    }
}

/// <summary>Python hashing and equality for dict keys.</summary>
sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    public static bool IsHashable(object key) => key is string or long or double or bool or PyTuple;

    public new bool Equals(object? x, object? y) => Py.Eq(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        string s => s.GetHashCode(StringComparison.Ordinal),
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => ((long)d).GetHashCode(),
        double d => d.GetHashCode(),
        PyTuple t => t.Items.Aggregate(17, (h, i) => h * 31 + (i is null ? 0 : GetHashCode(i))),
        _ => throw new JinjaError($"unhashable type: '{Py.TypeName(obj)}'"),
    };
}

/// <summary>
/// A Python iterator (<c>generator</c> from select/map/unique, <c>list_reverseiterator</c> from reverse, the items
/// filter's <c>dict_itemiterator</c>) or dict view (<c>dict_items</c>, <c>dict_keys</c>, <c>dict_values</c>). They
/// matter because Jinja2 keeps Python's rules: an iterator is always truthy (even when empty), has no len(), is
/// consumed by iterating and cannot be printed meaningfully; a view has len() and prints as <c>dict_items([...])</c>.
/// </summary>
sealed class PyIterator(string typeName, IReadOnlyList<object?> items, bool isView = false)
{
    int _next;

    public string TypeName { get; } = typeName;
    public bool IsView { get; } = isView;
    public int ViewCount => items.Count;

    /// <summary>Views iterate afresh each time; iterators hand out what is left and are then exhausted.</summary>
    public IEnumerable<object?> Iterate()
    {
        if (IsView)
        {
            foreach (var item in items) yield return item;
            yield break;
        }
        while (_next < items.Count) yield return items[_next++];
    }

    public List<object?> Snapshot() => [.. items];
}
