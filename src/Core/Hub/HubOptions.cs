namespace Probe.Core.Hub;

/// <summary>Tuning for hub downloads; the defaults suit real downloads, tests shorten the waits.</summary>
public sealed record HubOptions
{
    /// <summary>Limit for one API or metadata request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A download that receives nothing for this long is treated as a dropped connection and resumed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Tries per file for network failures (each resumes where the last stopped).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Wait before the first retry; doubled for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for another process downloading the same file before giving up.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Least time between two progress reports (file completions are always reported).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public SnapshotLinkMode LinkMode { get; init; } = SnapshotLinkMode.Auto;
}
