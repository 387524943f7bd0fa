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

    /// <summary>Option <paramref name="key"/> as true/false (yes/no, 1/0), or <paramref name="fallback"/> when absent.</summary>
    public bool Flag(string key, bool fallback) => Option(key)?.ToLowerInvariant() switch
    {
        null => fallback,
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        var other => throw new JudgeSpecException(Text, $"option {key}={other} must be true or false"),
    };

    /// <summary>Option <paramref name="key"/> as a whole number in [min, max], or <paramref name="fallback"/> when absent.</summary>
    public int Whole(string key, int fallback, int min, int max) => Option(key) is not { } text
        ? fallback
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new JudgeSpecException(Text, $"option {key}={text} must be a whole number from {min} to {max}");
}
