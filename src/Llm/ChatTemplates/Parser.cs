namespace Probe.Llm.ChatTemplates;

/// <summary>
/// Recursive-descent parser for the Jinja2 3.1 grammar that chat templates use. Operator precedence follows
/// jinja2/parser.py: conditional &lt; or &lt; and &lt; not &lt; comparison &lt; + - &lt; ~ &lt; * / // % &lt; ** &lt;
/// unary - + &lt; primary with postfix (<c>.a</c>, <c>[k]</c>, <c>(…)</c>) and then filters / tests
/// (so <c>-x|abs</c> is <c>(-x)|abs</c> and <c>not x is defined</c> is <c>not (x is defined)</c>).
/// </summary>
sealed class Parser
{
    /// <summary>Statements Jinja2 has but this interpreter (and transformers' chat templates) do not use.</summary>
    static readonly HashSet<string> Unsupported = ["include", "import", "from", "extends", "block", "autoescape", "do", "trans", "pluralize"];

    readonly List<Token> _t;
    int _i;
    int _ifDepth;

    Parser(List<Token> tokens) => _t = tokens;

    public static IReadOnlyList<Node> Parse(List<Token> tokens)
    {
        var p = new Parser(tokens);
        var body = p.ParseBody([], out var endTag);
        if (endTag is not null) throw new JinjaError($"unexpected '{{% {endTag} %}}' without an opening tag", p.Prev.Position);
        return body;
    }

    Token Cur => _t[_i];
    Token Prev => _t[_i - 1];
    Token Next() => _t[_i++];

    Token Expect(TokenKind kind, string? text = null)
    {
        var tok = Cur;
        if (tok.Kind != kind || (text is not null && tok.Text != text))
            throw new JinjaError($"expected {(text is null ? Describe(kind) : $"'{text}'")}, found {DescribeToken(tok)}", tok.Position);
        _i++;
        return tok;
    }

    static string Describe(TokenKind k) => k switch
    {
        TokenKind.Name => "a name",
        TokenKind.BlockEnd => "'%}'",
        TokenKind.VariableEnd => "'}}'",
        _ => k.ToString(),
    };

    static string DescribeToken(Token t) => t.Kind switch
    {
        TokenKind.End => "the end of the template",
        TokenKind.BlockEnd => "'%}'",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.Data => "template text",
        _ => $"'{t.Text}'",
    };

    /// <summary>Parses until one of <paramref name="endTags"/> (returned, its name consumed) or the end of input.</summary>
    List<Node> ParseBody(string[] endTags, out string? endTag)
    {
        var nodes = new List<Node>();
        while (true)
        {
            var tok = Cur;
            switch (tok.Kind)
            {
                case TokenKind.End:
                    if (endTags.Length > 0)
                        throw new JinjaError($"unexpected end of template: expected {string.Join(" or ", endTags.Select(e => $"'{{% {e} %}}'"))}", tok.Position);
                    endTag = null;
                    return nodes;
                case TokenKind.Data:
                    _i++;
                    nodes.Add(new OutputText(tok.Text, tok.Position));
                    break;
                case TokenKind.VariableBegin:
                    _i++;
                    nodes.Add(new OutputExpr(ParseTuple(), tok.Position));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    _i++;
                    var name = Cur;
                    if (name.Kind == TokenKind.Name && endTags.Contains(name.Text))
                    {
                        _i++;
                        endTag = name.Text;
                        return nodes;
                    }
                    nodes.Add(ParseStatement());
                    break;
                default:
                    throw new JinjaError($"unexpected {DescribeToken(tok)}", tok.Position);
            }
        }
    }

    Node ParseStatement()
    {
        var tok = Expect(TokenKind.Name);
        var pos = tok.Position;
        switch (tok.Text)
        {
            case "if": return ParseIf(pos);
            case "for": return Hard(() => ParseFor(pos));
            case "set": return Hard(() => ParseSet(pos));
            case "macro": return Hard(() => ParseMacro(pos));
            case "call": return Hard(() => ParseCallBlock(pos));
            case "filter":
                return Hard(() =>
                {
                    var filters = ParseFilterChain(first: true);
                    Expect(TokenKind.BlockEnd);
                    var body = ParseBody(["endfilter"], out _);
                    Expect(TokenKind.BlockEnd);
                    return new FilterBlockStmt(filters, body, pos);
                });
            case "with": return Hard(() => ParseWith(pos));
            case "break":
            case "continue":
                Expect(TokenKind.BlockEnd);
                return tok.Text == "break" ? new BreakStmt(pos) : new ContinueStmt(pos);
            case "generation":
                {
                    // transformers' AssistantTracker extension: {% generation %} marks assistant text for the
                    // assistant-tokens mask; for rendering it is transparent.
                    Expect(TokenKind.BlockEnd);
                    var body = ParseBody(["endgeneration"], out _);
                    Expect(TokenKind.BlockEnd);
                    return new IfStmt([(new ConstExpr(true, pos), body)], null, pos);
                }
            default:
                if (Unsupported.Contains(tok.Text))
                    throw new JinjaError($"the '{{% {tok.Text} %}}' statement is not supported in chat templates", pos);
                throw new JinjaError($"unknown statement '{tok.Text}'", pos);
        }
    }

    /// <summary>
    /// Parses a block whose unknown filters and tests fail at parse time even inside an if. Jinja2 3.1 only softens
    /// (defers to run time) the checks directly in an if statement's test and branches, not in loops or macros there.
    /// </summary>
    Node Hard(Func<Node> parse)
    {
        var saved = _ifDepth;
        _ifDepth = 0;
        try { return parse(); }
        finally { _ifDepth = saved; }
    }

    Node ParseIf(int pos)
    {
        _ifDepth++;
        var branches = new List<(Expr, IReadOnlyList<Node>)>();
        List<Node>? elseBody = null;
        var test = ParseTuple();
        while (true)
        {
            Expect(TokenKind.BlockEnd);
            var body = ParseBody(["elif", "else", "endif"], out var end);
            branches.Add((test, body));
            if (end == "elif") { test = ParseTuple(); continue; }
            if (end == "else")
            {
                Expect(TokenKind.BlockEnd);
                elseBody = ParseBody(["endif"], out _);
            }
            Expect(TokenKind.BlockEnd);
            break;
        }
        _ifDepth--;
        return new IfStmt(branches, elseBody, pos);
    }

    Node ParseFor(int pos)
    {
        var target = ParseAssignTarget(allowAttribute: false);
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withCondExpr: false);
        Expr? filter = null;
        if (Cur.IsName("if")) { _i++; filter = ParseExpression(); }
        var recursive = false;
        if (Cur.IsName("recursive")) { _i++; recursive = true; }
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endfor", "else"], out var end);
        List<Node>? elseBody = null;
        if (end == "else")
        {
            Expect(TokenKind.BlockEnd);
            elseBody = ParseBody(["endfor"], out _);
        }
        Expect(TokenKind.BlockEnd);
        return new ForStmt(target, iterable, filter, recursive, body, elseBody, pos);
    }

    Node ParseSet(int pos)
    {
        var target = ParseAssignTarget(allowAttribute: true);
        if (Cur.IsOp("="))
        {
            _i++;
            var value = ParseTuple();
            Expect(TokenKind.BlockEnd);
            return new SetStmt(target, value, pos);
        }
        var filters = Cur.IsOp("|") ? ParseFilterChain(first: false) : [];
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endset"], out _);
        Expect(TokenKind.BlockEnd);
        return new SetBlockStmt(target, filters, body, pos);
    }

    Node ParseWith(int pos)
    {
        var assignments = new List<(Target, Expr)>();
        while (Cur.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) Expect(TokenKind.Operator, ",");
            var target = ParseAssignTarget(allowAttribute: false);
            Expect(TokenKind.Operator, "=");
            assignments.Add((target, ParseExpression()));
        }
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endwith"], out _);
        Expect(TokenKind.BlockEnd);
        return new WithStmt(assignments, body, pos);
    }

    Node ParseMacro(int pos)
    {
        var name = Expect(TokenKind.Name).Text;
        var (parameters, defaults) = ParseSignature();
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endmacro"], out _);
        if (Cur.Kind == TokenKind.Name) _i++; // {% endmacro name %} is allowed
        Expect(TokenKind.BlockEnd);
        return new MacroStmt(name, parameters, defaults, body, pos);
    }

    Node ParseCallBlock(int pos)
    {
        List<string> parameters = [];
        List<Expr?> defaults = [];
        if (Cur.IsOp("(")) (parameters, defaults) = ParseSignature();
        var call = ParseExpression() as CallExpr ?? throw new JinjaError("'{% call %}' expects a macro call", pos);
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endcall"], out _);
        Expect(TokenKind.BlockEnd);
        return new CallBlockStmt(call, parameters, defaults, body, pos);
    }

    (List<string>, List<Expr?>) ParseSignature()
    {
        var names = new List<string>();
        var defaults = new List<Expr?>();
        Expect(TokenKind.Operator, "(");
        while (!Cur.IsOp(")"))
        {
            if (names.Count > 0) Expect(TokenKind.Operator, ",");
            if (Cur.IsOp(")")) break;
            names.Add(Expect(TokenKind.Name).Text);
            if (Cur.IsOp("=")) { _i++; defaults.Add(ParseExpression()); }
            else if (defaults.Any(d => d is not null)) throw new JinjaError("non-default argument follows default argument", Prev.Position);
            else defaults.Add(null);
        }
        _i++;
        return (names, defaults);
    }

    Target ParseAssignTarget(bool allowAttribute)
    {
        var pos = Cur.Position;
        var items = new List<Target>();
        var parenthesised = Cur.IsOp("(");
        if (parenthesised) _i++;
        while (true)
        {
            var name = Expect(TokenKind.Name);
            if (allowAttribute && Cur.IsOp(".") && items.Count == 0)
            {
                _i++;
                var attr = Expect(TokenKind.Name).Text;
                return new AttributeTarget(name.Text, attr, name.Position);
            }
            items.Add(new NameTarget(name.Text, name.Position));
            if (!Cur.IsOp(",")) break;
            _i++;
            if (Cur.Kind != TokenKind.Name) break;
        }
        if (parenthesised) Expect(TokenKind.Operator, ")");
        return items.Count == 1 && !Prev.IsOp(",") ? items[0] : new TupleTarget(items, pos);
    }

    // ---------------- expressions ----------------

    /// <summary>An expression or an implicit tuple <c>a, b</c> (as Jinja's parse_tuple).</summary>
    Expr ParseTuple(bool withCondExpr = true)
    {
        var pos = Cur.Position;
        var items = new List<Expr>();
        var sawComma = false;
        while (true)
        {
            if (items.Count > 0)
            {
                if (!Cur.IsOp(",")) break;
                _i++;
                sawComma = true;
                if (Cur.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || Cur.IsOp(")") || Cur.IsName("if") || Cur.IsName("recursive")) break;
            }
            items.Add(withCondExpr ? ParseExpression() : ParseOr());
        }
        return sawComma ? new TupleExpr(items, pos) : items[0];
    }

    Expr ParseExpression()
    {
        var expr = ParseOr();
        while (Cur.IsName("if"))
        {
            var pos = Next().Position;
            var test = ParseOr();
            Expr? otherwise = null;
            if (Cur.IsName("else")) { _i++; otherwise = ParseExpression(); }
            expr = new CondExpr(test, expr, otherwise, pos);
        }
        return expr;
    }

    Expr ParseOr()
    {
        var left = ParseAnd();
        while (Cur.IsName("or")) { var p = Next().Position; left = new OrExpr(left, ParseAnd(), p); }
        return left;
    }

    Expr ParseAnd()
    {
        var left = ParseNot();
        while (Cur.IsName("and")) { var p = Next().Position; left = new AndExpr(left, ParseNot(), p); }
        return left;
    }

    Expr ParseNot()
    {
        if (Cur.IsName("not")) { var p = Next().Position; return new NotExpr(ParseNot(), p); }
        return ParseCompare();
    }

    Expr ParseCompare()
    {
        var pos = Cur.Position;
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Cur.Kind == TokenKind.Operator && Cur.Text is "==" or "!=" or "<" or ">" or "<=" or ">=")
                rest.Add((Next().Text, ParseMath1()));
            else if (Cur.IsName("in")) { _i++; rest.Add(("in", ParseMath1())); }
            else if (Cur.IsName("not") && _t[_i + 1].IsName("in")) { _i += 2; rest.Add(("notin", ParseMath1())); }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(first, rest, pos);
    }

    Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Cur.Kind == TokenKind.Operator && Cur.Text is "+" or "-")
        {
            var op = Next();
            left = new BinaryExpr(op.Text, left, ParseConcat(), op.Position);
        }
        return left;
    }

    Expr ParseConcat()
    {
        var pos = Cur.Position;
        var items = new List<Expr> { ParseMath2() };
        while (Cur.IsOp("~")) { _i++; items.Add(ParseMath2()); }
        return items.Count == 1 ? items[0] : new ConcatExpr(items, pos);
    }

    Expr ParseMath2()
    {
        var left = ParsePow();
        while (Cur.Kind == TokenKind.Operator && Cur.Text is "*" or "/" or "//" or "%")
        {
            var op = Next();
            left = new BinaryExpr(op.Text, left, ParsePow(), op.Position);
        }
        return left;
    }

    Expr ParsePow()
    {
        var left = ParseUnary(withFilter: true);
        while (Cur.IsOp("**"))
        {
            var op = Next();
            left = new BinaryExpr("**", left, ParseUnary(withFilter: true), op.Position);
        }
        return left;
    }

    Expr ParseUnary(bool withFilter)
    {
        Expr node;
        if (Cur.IsOp("-") || Cur.IsOp("+"))
        {
            var op = Next();
            node = new UnaryExpr(op.Text, ParseUnary(withFilter: false), op.Position);
        }
        else node = ParsePostfix(ParsePrimary());
        return withFilter ? ParseFilterAndTests(node) : node;
    }

    Expr ParsePrimary()
    {
        var tok = Next();
        switch (tok.Kind)
        {
            case TokenKind.Name:
                return tok.Text switch
                {
                    "true" or "True" => new ConstExpr(true, tok.Position),
                    "false" or "False" => new ConstExpr(false, tok.Position),
                    "none" or "None" => new ConstExpr(null, tok.Position),
                    _ => new NameExpr(tok.Text, tok.Position),
                };
            case TokenKind.String:
                var text = (string)tok.Value!;
                while (Cur.Kind == TokenKind.String) text += (string)Next().Value!; // adjacent literals concatenate
                return new ConstExpr(text, tok.Position);
            case TokenKind.Integer:
            case TokenKind.Float:
                return new ConstExpr(tok.Value, tok.Position);
            case TokenKind.Operator when tok.Text == "(":
                if (Cur.IsOp(")")) { _i++; return new TupleExpr([], tok.Position); }
                var inner = ParseTuple();
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when tok.Text == "[":
                {
                    var items = new List<Expr>();
                    while (!Cur.IsOp("]"))
                    {
                        if (items.Count > 0) Expect(TokenKind.Operator, ",");
                        if (Cur.IsOp("]")) break;
                        items.Add(ParseExpression());
                    }
                    _i++;
                    return new ListExpr(items, tok.Position);
                }
            case TokenKind.Operator when tok.Text == "{":
                {
                    var items = new List<(Expr, Expr)>();
                    while (!Cur.IsOp("}"))
                    {
                        if (items.Count > 0) Expect(TokenKind.Operator, ",");
                        if (Cur.IsOp("}")) break;
                        var key = ParseExpression();
                        Expect(TokenKind.Operator, ":");
                        items.Add((key, ParseExpression()));
                    }
                    _i++;
                    return new DictExpr(items, tok.Position);
                }
            default:
                throw new JinjaError($"unexpected {DescribeToken(tok)}", tok.Position);
        }
    }

    Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Cur.IsOp("."))
            {
                var dot = Next();
                var attr = Next();
                node = attr.Kind switch
                {
                    TokenKind.Name => new AttributeExpr(node, attr.Text, dot.Position),
                    // x.0 is item 0 (Jinja's parse_subscript)
                    TokenKind.Integer => new ItemExpr(node, new ConstExpr(attr.Value, attr.Position), dot.Position),
                    _ => throw new JinjaError($"expected an attribute name after '.', found {DescribeToken(attr)}", attr.Position),
                };
            }
            else if (Cur.IsOp("[")) node = ParseSubscript(node, Next().Position);
            else if (Cur.IsOp("(")) node = ParseCall(node);
            else return node;
        }
    }

    Expr ParseSubscript(Expr node, int pos)
    {
        Expr? start = null, stop = null, step = null;
        var isSlice = false;
        if (!Cur.IsOp(":")) start = ParseExpression();
        if (Cur.IsOp(":"))
        {
            isSlice = true;
            _i++;
            if (!Cur.IsOp("]") && !Cur.IsOp(":")) stop = ParseExpression();
            if (Cur.IsOp(":"))
            {
                _i++;
                if (!Cur.IsOp("]")) step = ParseExpression();
            }
        }
        else if (Cur.IsOp(","))
            throw new JinjaError("tuple subscripts (x[a, b]) are not supported", Cur.Position);
        Expect(TokenKind.Operator, "]");
        return isSlice ? new SliceExpr(node, start, stop, step, pos) : new ItemExpr(node, start!, pos);
    }

    CallExpr ParseCall(Expr callee)
    {
        Expect(TokenKind.Operator, "(");
        var (args, kwargs) = ParseCallArgs();
        return new CallExpr(callee, args, kwargs, callee.Position); // errors point at the callee's name
    }

    (List<Expr>, List<(string, Expr)>) ParseCallArgs()
    {
        var args = new List<Expr>();
        var kwargs = new List<(string, Expr)>();
        while (!Cur.IsOp(")"))
        {
            if (args.Count + kwargs.Count > 0) Expect(TokenKind.Operator, ",");
            if (Cur.IsOp(")")) break;
            if (Cur.IsOp("*") || Cur.IsOp("**")) throw new JinjaError("*args / **kwargs in calls are not supported", Cur.Position);
            if (Cur.Kind == TokenKind.Name && _t[_i + 1].IsOp("="))
            {
                var name = Next().Text;
                _i++;
                kwargs.Add((name, ParseExpression()));
            }
            else
            {
                if (kwargs.Count > 0) throw new JinjaError("positional argument follows keyword argument", Cur.Position);
                args.Add(ParseExpression());
            }
        }
        _i++;
        return (args, kwargs);
    }

    Expr ParseFilterAndTests(Expr node)
    {
        while (true)
        {
            if (Cur.IsOp("|"))
            {
                foreach (var f in ParseFilterChain(first: false, single: true)) node = new FilterExpr(node, f, f.Position);
            }
            else if (Cur.IsName("is")) node = ParseTest(node);
            else if (Cur.IsOp("(")) node = ParseCall(node);
            else return node;
        }
    }

    /// <summary>Filters after '|' (or, for <c>{% filter %}</c>, starting without one).</summary>
    List<FilterCall> ParseFilterChain(bool first, bool single = false)
    {
        var filters = new List<FilterCall>();
        while (first || Cur.IsOp("|"))
        {
            if (!first) _i++;
            first = false;
            var nameTok = Expect(TokenKind.Name);
            var name = nameTok.Text;
            while (Cur.IsOp(".")) { _i++; name += "." + Expect(TokenKind.Name).Text; }
            if (_ifDepth == 0 && !Builtins.HasFilter(name)) throw new JinjaError($"no filter named '{name}'", nameTok.Position);
            List<Expr> args = [];
            List<(string, Expr)> kwargs = [];
            if (Cur.IsOp("(")) { _i++; (args, kwargs) = ParseCallArgs(); }
            filters.Add(new FilterCall(name, args, kwargs, nameTok.Position));
            if (single) break;
        }
        return filters;
    }

    Expr ParseTest(Expr node)
    {
        var pos = Next().Position;
        var negated = false;
        if (Cur.IsName("not")) { _i++; negated = true; }
        var nameTok = Expect(TokenKind.Name);
        var name = nameTok.Text;
        while (Cur.IsOp(".")) { _i++; name += "." + Expect(TokenKind.Name).Text; }
        if (_ifDepth == 0 && !Builtins.HasTest(name)) throw new JinjaError($"no test named '{name}'", nameTok.Position);
        var args = new List<Expr>();
        if (Cur.IsOp("("))
        {
            _i++;
            var (a, kw) = ParseCallArgs();
            if (kw.Count > 0) throw new JinjaError("keyword arguments to tests are not supported", pos);
            args = a;
        }
        // Jinja also accepts one bare argument: `x is divisibleby 3`, `x is sameas none`.
        else if ((Cur.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float || Cur.IsOp("[") || Cur.IsOp("{"))
                 && !Cur.IsName("else") && !Cur.IsName("or") && !Cur.IsName("and"))
        {
            if (Cur.IsName("is")) throw new JinjaError("you cannot chain multiple tests with 'is'", Cur.Position);
            args.Add(ParsePostfix(ParsePrimary()));
        }
        return new TestExpr(node, name, args, negated, pos);
    }
}
