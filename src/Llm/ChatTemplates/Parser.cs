namespace Probe.Llm.ChatTemplates;

/// <summary>
/// Recursive-descent parser for the Jinja2 3.1 grammar that chat templates use. Operator precedence follows
/// jinja2/parser.py: conditional &lt; or &lt; and &lt; not &lt; comparison &lt; + - &lt; ~ &lt; * / // % &lt; ** &lt;
/// unary - + &lt; primary with postfix (<c>.a</c>, <c>[k]</c>, <c>(…)</c>) and then filters / tests
/// (so <c>-x|abs</c> is <c>(-x)|abs</c> and <c>not x is defined</c> is <c>not (x is defined)</c>).
/// Statements live here; expressions in Parser.Expressions.cs.
/// </summary>
sealed partial class Parser
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
}
