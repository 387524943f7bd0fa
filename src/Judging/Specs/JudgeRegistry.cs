namespace Probe.Judging.Specs;

/// <summary>
/// The judge kinds of one item type (images, texts) by name, and how to build each from a spec: image and text judge
/// projects register their kinds, the command line parses specs against them. Unknown kinds and options are refused
/// with the usage of every registered kind; combinations (<c>any/all/mean(…)</c>) are built by the registry's combiner.
/// </summary>
public sealed class JudgeRegistry<TJudge> where TJudge : class, IDisposable
{
    readonly Dictionary<string, (JudgeKind Kind, Func<JudgeSpec, JudgeFactoryContext, TJudge> Create)> _kinds = new(StringComparer.Ordinal);
    readonly Func<IReadOnlyList<TJudge>, CombinationMode, double?, TJudge> _combine;

    public JudgeRegistry(Func<IReadOnlyList<TJudge>, CombinationMode, double?, TJudge> combine)
    {
        ArgumentNullException.ThrowIfNull(combine);
        _combine = combine;
    }

    public IReadOnlyCollection<JudgeKind> Kinds => _kinds.Values.Select(k => k.Kind).ToArray();

    public JudgeRegistry<TJudge> Register(JudgeKind kind, Func<JudgeSpec, JudgeFactoryContext, TJudge> create)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(create);
        if (!_kinds.TryAdd(kind.Name, (kind, create))) throw new ArgumentException($"judge kind '{kind.Name}' is registered twice", nameof(kind));
        return this;
    }

    public JudgeSpec Parse(string spec) => JudgeSpecParser.Parse(spec, Kinds);

    public TJudge Create(string spec, JudgeFactoryContext? context = null) => Create(Parse(spec), context);

    /// <summary>Like <see cref="Create(string, JudgeFactoryContext?)"/>, with a threshold from elsewhere (a run config) used when the spec has none.</summary>
    public TJudge Create(string spec, double? threshold, JudgeFactoryContext? context = null)
    {
        var parsed = Parse(spec);
        if (threshold is { } t && !(t >= 0 && t <= 1)) throw new JudgeSpecException(spec, $"threshold {t} must be a number in [0,1]");
        return Create(parsed with { Threshold = parsed.Threshold ?? threshold }, context);
    }

    public TJudge Create(JudgeSpec spec, JudgeFactoryContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        context ??= new JudgeFactoryContext();
        if (spec.Members.Count > 0) return Combination(spec, context);
        if (!_kinds.TryGetValue(spec.Kind, out var entry))
            throw new JudgeSpecException(spec.Text, $"unknown judge kind '{spec.Kind}'; {JudgeSpecParser.Syntax(Kinds)}");
        var unknown = spec.Options.Keys.Where(k => !entry.Kind.Options.Contains(k)).ToArray();
        if (unknown.Length > 0)
            throw new JudgeSpecException(spec.Text, $"unknown option '{unknown[0]}' for {spec.Kind}; known: {string.Join(", ", entry.Kind.Options)}");
        try
        {
            return entry.Create(spec, context);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new JudgeSpecException(spec.Text, e.Message.Split(" (Parameter")[0], e);
        }
    }

    TJudge Combination(JudgeSpec spec, JudgeFactoryContext context)
    {
        var mode = spec.Kind switch { "any" => CombinationMode.Any, "all" => CombinationMode.All, _ => CombinationMode.Mean };
        if (mode != CombinationMode.Mean && spec.Threshold is not null)
            throw new JudgeSpecException(spec.Text, $"{spec.Kind}(…) decides by each member's threshold; put @threshold on the members (only mean(…)@t takes one)");
        var members = new List<TJudge>();
        try
        {
            foreach (var m in spec.Members) members.Add(Create(m, context));
            return _combine(members, mode, spec.Threshold);
        }
        catch
        {
            foreach (var m in members) m.Dispose();
            throw;
        }
    }
}
