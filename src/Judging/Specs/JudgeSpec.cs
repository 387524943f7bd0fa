namespace Probe.Judging.Specs;

/// <summary>
/// A parsed judge spec (see <see cref="JudgeSpecParser"/>): the kind, its main argument, key=value options, an optional
/// threshold, and for combinations the member specs.
/// </summary>
public sealed record JudgeSpec(
    string Text,
    string Kind,
    string? Argument,
    IReadOnlyDictionary<string, string> Options,
    double? Threshold)
{
    /// <summary>For vlm: the model name (the second comma-separated field).</summary>
    public string? Model { get; init; }

    /// <summary>For any(…) / all(…) / mean(…): the member specs.</summary>
    public IReadOnlyList<JudgeSpec> Members { get; init; } = [];

    public string? Option(string key) => Options.TryGetValue(key, out var v) ? v : null;
}
