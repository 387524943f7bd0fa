namespace Probe.Llm.ChatTemplates;

// The template's syntax tree. Every node keeps its source offset so a runtime error can name the line and column.

abstract record Node(int Position);

// ---- statements ----
sealed record OutputText(string Text, int Position) : Node(Position);
sealed record OutputExpr(Expr Value, int Position) : Node(Position);
sealed record IfStmt(IReadOnlyList<(Expr Test, IReadOnlyList<Node> Body)> Branches, IReadOnlyList<Node>? Else, int Position) : Node(Position);
sealed record ForStmt(Target Target, Expr Iterable, Expr? Filter, bool Recursive, IReadOnlyList<Node> Body, IReadOnlyList<Node>? Else, int Position) : Node(Position);
sealed record SetStmt(Target Target, Expr Value, int Position) : Node(Position);
sealed record SetBlockStmt(Target Target, IReadOnlyList<FilterCall> Filters, IReadOnlyList<Node> Body, int Position) : Node(Position);
sealed record MacroStmt(string Name, IReadOnlyList<string> Parameters, IReadOnlyList<Expr?> Defaults, IReadOnlyList<Node> Body, int Position) : Node(Position);
sealed record CallBlockStmt(CallExpr Call, IReadOnlyList<string> Parameters, IReadOnlyList<Expr?> Defaults, IReadOnlyList<Node> Body, int Position) : Node(Position);
sealed record FilterBlockStmt(IReadOnlyList<FilterCall> Filters, IReadOnlyList<Node> Body, int Position) : Node(Position);
sealed record WithStmt(IReadOnlyList<(Target Target, Expr Value)> Assignments, IReadOnlyList<Node> Body, int Position) : Node(Position);
sealed record BreakStmt(int Position) : Node(Position);
sealed record ContinueStmt(int Position) : Node(Position);

// ---- assignment targets ----
abstract record Target(int Position);
sealed record NameTarget(string Name, int Position) : Target(Position);
sealed record TupleTarget(IReadOnlyList<Target> Items, int Position) : Target(Position);
sealed record AttributeTarget(string Object, string Attribute, int Position) : Target(Position);

// ---- expressions ----
abstract record Expr(int Position) : Node(Position);
sealed record ConstExpr(object? Value, int Position) : Expr(Position);
sealed record NameExpr(string Name, int Position) : Expr(Position);
sealed record ListExpr(IReadOnlyList<Expr> Items, int Position) : Expr(Position);
sealed record TupleExpr(IReadOnlyList<Expr> Items, int Position) : Expr(Position);
sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Items, int Position) : Expr(Position);
sealed record AttributeExpr(Expr Object, string Attribute, int Position) : Expr(Position);
sealed record ItemExpr(Expr Object, Expr Key, int Position) : Expr(Position);
sealed record SliceExpr(Expr Object, Expr? Start, Expr? Stop, Expr? Step, int Position) : Expr(Position);
sealed record CallExpr(Expr Callee, IReadOnlyList<Expr> Args, IReadOnlyList<(string Name, Expr Value)> Kwargs, int Position) : Expr(Position);
sealed record FilterCall(string Name, IReadOnlyList<Expr> Args, IReadOnlyList<(string Name, Expr Value)> Kwargs, int Position);
sealed record FilterExpr(Expr Value, FilterCall Filter, int Position) : Expr(Position);
sealed record TestExpr(Expr Value, string Name, IReadOnlyList<Expr> Args, bool Negated, int Position) : Expr(Position);
sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Position) : Expr(Position);
sealed record UnaryExpr(string Op, Expr Operand, int Position) : Expr(Position);
sealed record CompareExpr(Expr First, IReadOnlyList<(string Op, Expr Right)> Rest, int Position) : Expr(Position);
sealed record AndExpr(Expr Left, Expr Right, int Position) : Expr(Position);
sealed record OrExpr(Expr Left, Expr Right, int Position) : Expr(Position);
sealed record NotExpr(Expr Operand, int Position) : Expr(Position);
sealed record CondExpr(Expr Test, Expr Then, Expr? Else, int Position) : Expr(Position);
sealed record ConcatExpr(IReadOnlyList<Expr> Items, int Position) : Expr(Position);
