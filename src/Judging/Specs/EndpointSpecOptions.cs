using Probe.Judging.Chat;

namespace Probe.Judging.Specs;

/// <summary>
/// The options every endpoint judge kind takes (vlm, rida, sorrybench, llamaguard), read one way:
/// cache=&lt;folder&gt;|none, timeout=&lt;s&gt;, attempts=&lt;n&gt;, concurrency=&lt;n&gt;, rpm=&lt;n&gt;, json=true|false,
/// key-env=&lt;variable holding the API key&gt;.
/// </summary>
public static class EndpointSpecOptions
{
    public static IReadOnlyList<string> Names { get; } = ["cache", "timeout", "attempts", "concurrency", "rpm", "json", "key-env"];

    public static ChatRequestPolicy Policy(JudgeSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new ChatRequestPolicy
        {
            RequestTimeout = TimeSpan.FromSeconds(spec.Whole("timeout", 60, 1, 3600)),
            MaxAttempts = spec.Whole("attempts", 4, 1, 20),
            MaxConcurrency = spec.Whole("concurrency", 4, 1, 256),
            RequestsPerMinute = spec.Option("rpm") is null ? null : spec.Whole("rpm", 0, 1, 100_000),
        };
    }

    /// <summary>The answer cache folder: the spec's cache= (none = no cache), else the context's default.</summary>
    public static string? CacheFolder(JudgeSpec spec, JudgeFactoryContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        return spec.Option("cache") switch
        {
            null => context.JudgeCacheFolder,
            var v when v.Equals("none", StringComparison.OrdinalIgnoreCase) => null,
            var v => context.PathOf(v),
        };
    }

    /// <summary>The API key: the variable named by key-env= (which must be set), else the first of <see cref="ChatEndpoint.ApiKeyVariables"/>.</summary>
    public static string? ApiKey(JudgeSpec spec, JudgeFactoryContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        return spec.Option("key-env") is { } variable
            ? context.Environment(variable) ?? throw new JudgeSpecException(spec.Text, $"environment variable '{variable}' (key-env) is not set")
            : ChatEndpoint.ApiKeyVariables.Select(context.Environment).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
    }
}
