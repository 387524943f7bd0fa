using Microsoft.Extensions.Logging;

namespace Probe.Judging.Specs;

/// <summary>What a judge registry needs besides the spec: logging, defaults for paths, and how to find secrets.</summary>
public sealed record JudgeFactoryContext
{
    public ILogger? Logger { get; init; }

    /// <summary>Folder relative paths in specs are resolved against (default: the working directory).</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Default answer cache of VLM judges when a spec gives no cache= option (null: no cache).</summary>
    public string? VlmCacheFolder { get; init; }

    /// <summary>Reads an environment variable (replaceable in tests).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}
