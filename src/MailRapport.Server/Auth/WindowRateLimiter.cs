using System.Threading.RateLimiting;

namespace MailRapport.Server.Auth;

/// <summary>
/// A fixed-window limit (N permits a window) that tells a refused caller how long is left in the window, which
/// the framework's fixed-window limiter does not (its Retry-After is always the whole window). Time comes from
/// <see cref="TimeProvider"/>, so tests move it.
/// </summary>
public sealed class WindowRateLimiter(int permits, TimeSpan window, TimeProvider time) : RateLimiter
{
    private readonly Lock gate = new();
    private DateTimeOffset windowStart = time.GetUtcNow();
    private int used;
    private long successes, failures;

    public override TimeSpan? IdleDuration
    {
        get
        {
            // Idle once its window has passed: the partitioned limiter may then drop it (a new one starts afresh).
            var past = time.GetUtcNow() - windowStart - window;
            return past > TimeSpan.Zero ? past : null;
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (gate)
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = permits - used, CurrentQueuedCount = 0,
                TotalSuccessfulLeases = successes, TotalFailedLeases = failures,
            };
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (now - windowStart >= window)
            {
                // Windows follow each other back to back from the first request.
                var elapsed = (now - windowStart).Ticks / window.Ticks;
                windowStart += TimeSpan.FromTicks(elapsed * window.Ticks);
                used = 0;
            }
            if (used + permitCount <= permits)
            {
                used += permitCount;
                successes++;
                return Lease.Granted;
            }
            failures++;
            return new Lease(false, windowStart + window - now);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
