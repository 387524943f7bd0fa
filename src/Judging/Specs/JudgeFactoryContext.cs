using Microsoft.Extensions.Logging;

namespace Probe.Judging.Specs;

/// <summary>What a judge registry needs besides the spec: logging, defaults for paths, and how to find secrets.</summary>
public sealed record JudgeFactoryContext
{
    public ILogger? Logger { get; init; }

    /// <summary>Folder relative paths in specs are resolved against (default: the working directory).</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Default answer cache of endpoint judges (vlm, rida, sorrybench, llamaguard) when a spec gives no cache= option (null: no cache).</summary>
    public string? JudgeCacheFolder { get; init; }

    /// <summary>Reads an environment variable (replaceable in tests).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>A path from a spec, relative to <see cref="BaseDirectory"/> (default: the working directory).</summary>
    public string PathOf(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(BaseDirectory ?? Directory.GetCurrentDirectory(), path));
}
