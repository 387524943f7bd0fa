namespace Probe.Llm.ChatTemplates;

/// <summary>The expression half of <see cref="Parser"/>: one method per precedence level of jinja2/parser.py.</summary>
sealed partial class Parser
{
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
