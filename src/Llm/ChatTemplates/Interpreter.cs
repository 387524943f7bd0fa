using System.Text;

namespace Probe.Llm.ChatTemplates;

/// <summary>
/// Variable scopes as Jinja2 3.1 resolves them: a for-loop iteration, a macro call and a with-block get their own
/// scope (so <c>{% set %}</c> inside a loop does not leak out, hence templates use <c>namespace()</c>); if-blocks do not.
/// </summary>
sealed class Scope(Scope? parent)
{
    readonly Dictionary<string, object?> _vars = new(StringComparer.Ordinal);

    public object? Lookup(string name)
    {
        for (var s = this; s is not null; s = s.Parent)
            if (s._vars.TryGetValue(name, out var v)) return v;
        return Undefined.Named(name);
    }

    public Scope? Parent { get; } = parent;

    public void Set(string name, object? value) => _vars[name] = value;
}

/// <summary>A <c>{% macro %}</c> (or the body of a <c>{% call %}</c> block, bound as <c>caller</c>).</summary>
sealed class Macro(string name, IReadOnlyList<string> parameters, IReadOnlyList<Expr?> defaults, IReadOnlyList<Node> body,
    Scope closure, Interpreter interpreter) : ICallable
{
    public string Name { get; } = name;

    public object? Call(Args args)
    {
        var scope = new Scope(closure);
        var extra = new List<object?>();
        for (var i = 0; i < args.Positional.Count; i++)
            if (i < parameters.Count) scope.Set(parameters[i], args.Positional[i]);
            else extra.Add(args.Positional[i]);
        var kwargs = new PyDict();
        var bound = new HashSet<string>(parameters.Take(args.Positional.Count), StringComparer.Ordinal);
        foreach (var (n, v) in args.Named)
        {
            if (n == "caller") { scope.Set("caller", v); continue; } // passed by {% call %}
            if (parameters.Contains(n))
            {
                if (!bound.Add(n)) throw new JinjaError($"macro '{Name}' got multiple values for argument '{n}'");
                scope.Set(n, v);
            }
            else kwargs[n] = v;
        }
        for (var i = 0; i < parameters.Count; i++)
            if (!bound.Contains(parameters[i]))
                // Jinja2 evaluates defaults at call time; a parameter with no default and no argument is undefined.
                scope.Set(parameters[i], defaults[i] is { } d ? interpreter.Eval(d, scope) : Undefined.Named(parameters[i]));
        scope.Set("varargs", new PyTuple([.. extra]));
        scope.Set("kwargs", kwargs);
        var sb = new StringBuilder();
        interpreter.ExecBody(body, scope, sb);
        return sb.ToString();
    }
}

/// <summary>Executes the syntax tree against a context, writing the output.</summary>
sealed class Interpreter
{
    /// <summary>Jinja2's sandbox refuses ranges longer than this (MAX_RANGE).</summary>
    const int MaxRange = 100_000;

    enum Flow { Normal, Break, Continue }

    public void ExecBody(IReadOnlyList<Node> body, Scope scope, StringBuilder output)
    {
        if (Exec(body, scope, output) != Flow.Normal)
            throw new JinjaError("'break' or 'continue' outside of a for loop");
    }

    Flow Exec(IReadOnlyList<Node> body, Scope scope, StringBuilder sb)
    {
        foreach (var node in body)
        {
            Flow flow;
            try
            {
                flow = ExecOne(node, scope, sb);
            }
            catch (JinjaError e) when (e.Position < 0)
            {
                e.Position = node.Position;
                throw;
            }
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    Flow ExecOne(Node node, Scope scope, StringBuilder sb)
    {
        switch (node)
        {
            case OutputText t:
                sb.Append(t.Text);
                return Flow.Normal;
            case OutputExpr e:
                sb.Append(Py.Str(Eval(e.Value, scope)));
                return Flow.Normal;
            case IfStmt s:
                foreach (var (test, branch) in s.Branches)
                    if (Py.Truthy(Eval(test, scope))) return Exec(branch, scope, sb);
                return s.Else is null ? Flow.Normal : Exec(s.Else, scope, sb);
            case ForStmt f:
                ExecFor(f, Eval(f.Iterable, scope), scope, sb, 0);
                return Flow.Normal;
            case SetStmt s:
                Assign(s.Target, Eval(s.Value, scope), scope);
                return Flow.Normal;
            case SetBlockStmt s:
                {
                    var inner = new StringBuilder();
                    ExecBody(s.Body, scope, inner);
                    object? value = inner.ToString();
                    foreach (var f in s.Filters) value = ApplyFilter(f, value, scope);
                    Assign(s.Target, value, scope);
                    return Flow.Normal;
                }
            case MacroStmt m:
                scope.Set(m.Name, new Macro(m.Name, m.Parameters, m.Defaults, m.Body, scope, this));
                return Flow.Normal;
            case CallBlockStmt c:
                {
                    var caller = new Macro("caller", c.Parameters, c.Defaults, c.Body, scope, this);
                    var callee = Eval(c.Call.Callee, scope);
                    var args = EvalArgs(c.Call.Args, c.Call.Kwargs, scope);
                    args.Named.Add(("caller", caller));
                    sb.Append(Py.Str(Invoke(callee, args)));
                    return Flow.Normal;
                }
            case FilterBlockStmt fb:
                {
                    var inner = new StringBuilder();
                    ExecBody(fb.Body, scope, inner);
                    object? value = inner.ToString();
                    foreach (var f in fb.Filters) value = ApplyFilter(f, value, scope);
                    sb.Append(Py.Str(value));
                    return Flow.Normal;
                }
            case WithStmt w:
                {
                    var inner = new Scope(scope);
                    foreach (var (target, value) in w.Assignments) Assign(target, Eval(value, inner), inner);
                    return Exec(w.Body, inner, sb);
                }
            case BreakStmt:
                return Flow.Break;
            case ContinueStmt:
                return Flow.Continue;
            default:
                throw new JinjaError($"unsupported statement {node.GetType().Name}");
        }
    }

    void ExecFor(ForStmt f, object? iterable, Scope scope, StringBuilder sb, int depth)
    {
        var items = Py.Iterate(iterable).ToList();
        if (f.Filter is not null)
        {
            // `for x in xs if cond`: the condition sees the loop target but not `loop`, and filters before counting.
            items = items.Where(item =>
            {
                var probe = new Scope(scope);
                Assign(f.Target, item, probe);
                return Py.Truthy(Eval(f.Filter, probe));
            }).ToList();
        }
        if (items.Count == 0)
        {
            if (f.Else is not null) ExecBody(f.Else, new Scope(scope), sb);
            return;
        }
        Func<object?, string>? recurse = f.Recursive
            ? inner => { var o = new StringBuilder(); ExecFor(f, inner, scope, o, depth + 1); return o.ToString(); }
            : null;
        var loop = new LoopContext(items, depth, recurse);
        for (var i = 0; i < items.Count; i++)
        {
            loop.Index0 = i;
            var iteration = new Scope(scope);
            Assign(f.Target, items[i], iteration);
            iteration.Set("loop", loop);
            if (Exec(f.Body, iteration, sb) == Flow.Break) break;
        }
    }

    void Assign(Target target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameTarget n:
                scope.Set(n.Name, value);
                break;
            case TupleTarget t:
                var items = Py.Iterate(value).ToList();
                if (items.Count != t.Items.Count)
                    throw new JinjaError(items.Count > t.Items.Count
                        ? $"too many values to unpack (expected {t.Items.Count})"
                        : $"not enough values to unpack (expected {t.Items.Count}, got {items.Count})");
                for (var i = 0; i < items.Count; i++) Assign(t.Items[i], items[i], scope);
                break;
            case AttributeTarget a:
                if (scope.Lookup(a.Object) is not Namespace ns)
                    throw new JinjaError($"cannot assign attribute '{a.Attribute}' on '{a.Object}': only namespace() objects support attribute assignment");
                ns.Attributes[a.Attribute] = value;
                break;
        }
    }

    // ---------------- expressions ----------------

    public object? Eval(Expr expr, Scope scope)
    {
        try
        {
            return EvalCore(expr, scope);
        }
        catch (JinjaError e) when (e.Position < 0)
        {
            e.Position = expr.Position;
            throw;
        }
    }

    object? EvalCore(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case ConstExpr c: return c.Value;
            case NameExpr n: return scope.Lookup(n.Name);
            case ListExpr l: return l.Items.Select(i => Eval(i, scope)).ToList();
            case TupleExpr t: return new PyTuple([.. t.Items.Select(i => Eval(i, scope))]);
            case DictExpr d:
                {
                    var dict = new PyDict();
                    foreach (var (k, v) in d.Items)
                    {
                        var key = Eval(k, scope);
                        if (key is null || !PyKeyComparer.IsHashable(key)) throw new JinjaError($"unhashable dict key of type '{Py.TypeName(key)}'");
                        dict.Items[key] = Eval(v, scope);
                    }
                    return dict;
                }
            case AttributeExpr a: return Builtins.GetAttribute(Eval(a.Object, scope), a.Attribute);
            case ItemExpr i: return Builtins.GetItem(Eval(i.Object, scope), Eval(i.Key, scope));
            case SliceExpr s:
                return Builtins.Slice(Eval(s.Object, scope),
                    s.Start is null ? null : Eval(s.Start, scope),
                    s.Stop is null ? null : Eval(s.Stop, scope),
                    s.Step is null ? null : Eval(s.Step, scope));
            case CallExpr c: return Invoke(Eval(c.Callee, scope), EvalArgs(c.Args, c.Kwargs, scope));
            case FilterExpr f: return ApplyFilter(f.Filter, Eval(f.Value, scope), scope);
            case TestExpr t:
                {
                    var value = Eval(t.Value, scope);
                    var args = t.Args.Select(a => Eval(a, scope)).ToList();
                    return Builtins.Test(t.Name, value, args) != t.Negated;
                }
            case BinaryExpr b: return Operators.Binary(b.Op, Eval(b.Left, scope), Eval(b.Right, scope));
            case UnaryExpr u: return Operators.Unary(u.Op, Eval(u.Operand, scope));
            case CompareExpr c:
                {
                    var left = Eval(c.First, scope);
                    foreach (var (op, rightExpr) in c.Rest)
                    {
                        var right = Eval(rightExpr, scope);
                        if (!Operators.Compare(op, left, right)) return false;
                        left = right;
                    }
                    return true;
                }
            case AndExpr a:
                {
                    var left = Eval(a.Left, scope);
                    return Py.Truthy(left) ? Eval(a.Right, scope) : left;
                }
            case OrExpr o:
                {
                    var left = Eval(o.Left, scope);
                    return Py.Truthy(left) ? left : Eval(o.Right, scope);
                }
            case NotExpr n: return !Py.Truthy(Eval(n.Operand, scope));
            case CondExpr c:
                if (Py.Truthy(Eval(c.Test, scope))) return Eval(c.Then, scope);
                return c.Else is null ? new Undefined("the inline if-expression evaluated to false and had no else section") : Eval(c.Else, scope);
            case ConcatExpr c:
                {
                    var sb = new StringBuilder();
                    foreach (var item in c.Items) sb.Append(Py.Str(Eval(item, scope)));
                    return sb.ToString();
                }
            default:
                throw new JinjaError($"unsupported expression {expr.GetType().Name}");
        }
    }

    Args EvalArgs(IReadOnlyList<Expr> args, IReadOnlyList<(string Name, Expr Value)> kwargs, Scope scope) =>
        new([.. args.Select(a => Eval(a, scope))], [.. kwargs.Select(k => (k.Name, Eval(k.Value, scope)))]);

    static object? Invoke(object? callee, Args args) => callee switch
    {
        ICallable c => c.Call(args),
        Undefined u => throw u.Fail(),
        _ => throw new JinjaError($"'{Py.TypeName(callee)}' object is not callable"),
    };

    object? ApplyFilter(FilterCall f, object? value, Scope scope) =>
        Builtins.Filter(f.Name, value, EvalArgs(f.Args, f.Kwargs, scope));

    /// <summary>Jinja2's <c>range</c> global, limited as in the sandbox.</summary>
    public static object? Range(Args a)
    {
        if (a.Positional.Count is < 1 or > 3 || a.Named.Count > 0) throw new JinjaError("range expected 1 to 3 integer arguments");
        var n = a.Positional.Select(v => v is long or bool ? (long)Py.ToDouble(v) : throw new JinjaError($"'{Py.TypeName(v)}' object cannot be interpreted as an integer")).ToArray();
        var (start, stop, step) = n.Length == 1 ? (0, n[0], 1) : (n[0], n[1], n.Length == 3 ? n[2] : 1);
        if (step == 0) throw new JinjaError("range() arg 3 must not be zero");
        var list = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (list.Count >= MaxRange) throw new JinjaError($"range too big, the sandbox allows at most {MaxRange} items");
            list.Add(i);
        }
        return list;
    }
}
