namespace Probe.Judging.Chat;

/// <summary>How a judge talks to a chat endpoint: attempts and backoff, time per request, concurrency and rate.</summary>
public sealed record ChatRequestPolicy
{
    /// <summary>Requests per item before giving up (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Wait before the first retry; doubles each retry (with jitter), capped by <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for one request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Requests in flight at once.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Requests started per minute at most; null = no limit.</summary>
    public double? RequestsPerMinute { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (MaxAttempts < 1) throw new ArgumentException("MaxAttempts must be at least 1");
        if (MaxConcurrency < 1) throw new ArgumentException("MaxConcurrency must be at least 1");
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException("RequestTimeout must be positive");
        if (RequestsPerMinute is <= 0) throw new ArgumentException("RequestsPerMinute must be positive");
    }
}
