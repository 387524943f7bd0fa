
namespace Probe.Judging.Chat;

/// <summary>Spaces request starts at least 60/<c>requestsPerMinute</c> seconds apart (a rate limit shared by all callers).</summary>
internal sealed class RequestPacer(double? requestsPerMinute, TimeProvider time)
{
    readonly TimeSpan interval = requestsPerMinute is { } rpm ? TimeSpan.FromMinutes(1 / rpm) : TimeSpan.Zero;
    readonly Lock gate = new();
    DateTimeOffset next = DateTimeOffset.MinValue;

    public async Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        if (interval == TimeSpan.Zero) return;
        TimeSpan wait;
        lock (gate)
        {
            var now = time.GetUtcNow();
            var slot = next > now ? next : now;
            next = slot + interval;
            wait = slot - now;
        }
        if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
    }
}
