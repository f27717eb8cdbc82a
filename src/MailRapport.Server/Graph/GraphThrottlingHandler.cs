using MailRapport.Core;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MailRapport.Server.Observability;

namespace MailRapport.Server.Graph;

/// <summary>Waits for a delay; injectable so tests can assert a requested 300-second wait without sleeping.</summary>
public delegate Task GraphDelay(TimeSpan delay, CancellationToken ct);

/// <summary>
/// Replaces the SDK's retry handler: at most N requests in flight per mailbox, retries 429/503/504, dropped
/// connections and unreadable JSON with a bounded number of attempts, and honours Retry-After whatever its size
/// (the SDK's handler gives up above 180 seconds). Responses are buffered and their JSON checked before Kiota sees them,
/// so a truncated page is retried instead of half-parsed.
/// </summary>
public sealed class GraphThrottlingHandler(GraphOptions options, GraphDelay? delay = null, GraphRequestCounter? counter = null, ILogger? log = null) : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _perMailbox = new(StringComparer.OrdinalIgnoreCase);
    private readonly GraphDelay _delay = delay ?? Task.Delay;
    private static readonly AsyncLocal<MailboxScope?> ScanningMailbox = new();

    /// <summary>
    /// Requests sent inside the returned scope belong to <paramref name="mailboxId"/> and share its gate, whether the URL
    /// names the user by UPN or by object id (/users/{upn} and /users/{id} are one mailbox to Graph's throttling), and
    /// the mailbox's credentials, looked up once for the whole scope (<see cref="MailboxAuthentication"/>).
    /// </summary>
    public static IDisposable ForMailbox(string mailboxId)
    {
        var previous = ScanningMailbox.Value;
        ScanningMailbox.Value = new MailboxScope(MailboxId.Normalize(mailboxId));
        return new Scope(previous);
    }

    private sealed class Scope(MailboxScope? previous) : IDisposable
    {
        public void Dispose() => ScanningMailbox.Value = previous;
    }

    /// <summary>The scope the current request runs in (a scan, a subscription call), if any.</summary>
    internal static MailboxScope? CurrentScope => ScanningMailbox.Value;

    /// <summary>The gate a request waits at: the scanned mailbox when in a scope, else the user the URL names.</summary>
    internal static string GateOf(Uri? uri) => ScanningMailbox.Value?.MailboxId ?? MailboxOf(uri);

    public GraphRequestCounter Counter { get; } = counter ?? new GraphRequestCounter();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var gate = _perMailbox.GetOrAdd(GateOf(request.RequestUri), _ => new SemaphoreSlim(options.MaxConcurrentRequestsPerMailbox));
        for (int attempt = 0; ; attempt++)
        {
            string failure;
            TimeSpan? retryAfter = null;
            await gate.WaitAsync(ct);
            try
            {
                Counter.OnRequest();
                HttpResponseMessage response;
                try
                {
                    response = await base.SendAsync(request, ct);
                    Telemetry.GraphRequests.Add(1, new KeyValuePair<string, object?>("http.response.status_code", (int)response.StatusCode));
                }
                catch (HttpRequestException ex) when (!ct.IsCancellationRequested)
                {
                    failure = $"connection failed ({ex.Message})";
                    goto retry;
                }
                catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
                {
                    failure = $"request timed out ({ex.Message})";
                    goto retry;
                }

                if (IsTransient(response.StatusCode))
                {
                    retryAfter = RetryAfter(response);
                    failure = $"HTTP {(int)response.StatusCode} {response.StatusCode}";
                    Counter.OnThrottled(retryAfter);
                    Telemetry.GraphThrottled.Add(1, new KeyValuePair<string, object?>("http.response.status_code", (int)response.StatusCode));
                    response.Dispose();
                    goto retry;
                }
                // Other statuses (410 included) belong to the caller, but only once their JSON is readable.
                string? unreadable;
                try
                {
                    unreadable = await CheckJsonAsync(request, response, ct);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException && !ct.IsCancellationRequested)
                {
                    unreadable = $"connection dropped while reading ({ex.Message})";
                }
                if (unreadable is null) return response;
                failure = unreadable;
                response.Dispose();
            }
            finally
            {
                gate.Release();
            }

        retry:
            Counter.OnRetry();
            if (attempt >= options.MaxRetries)
            {
                log?.LogWarning("Graph {Method} {Path} failed {Attempts} times ({Failure}); giving up", request.Method, PathOf(request.RequestUri), attempt + 1, failure);
                throw new GraphRetriesExhaustedException(request.Method, PathOf(request.RequestUri), attempt + 1, failure);
            }
            var wait = retryAfter ?? Backoff(attempt);
            log?.LogWarning("Graph {Method} {Path}: {Failure}; retry {Retry} of {MaxRetries} in {Wait} ({Source})", request.Method, PathOf(request.RequestUri),
                failure, attempt + 1, options.MaxRetries, wait, retryAfter is null ? "backoff" : "Retry-After");
            Telemetry.GraphRetries.Add(1);
            Activity.Current?.AddEvent(new ActivityEvent("graph.retry", tags: new ActivityTagsCollection { ["failure"] = failure, ["wait_s"] = wait.TotalSeconds }));
            await _delay(wait, ct);
            Telemetry.GraphRetryAfterWaited.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("source", retryAfter is null ? "backoff" : "retry-after"));
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
            or HttpStatusCode.BadGateway;

    /// <summary>Exponential backoff with jitter, capped by MaxBackoff (used only without Retry-After).</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var baseMs = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20));
        var capped = Math.Min(baseMs, options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.75 + Random.Shared.NextDouble() * 0.25));
    }

    internal static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header is null) return null;
        if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>Buffers a JSON body and returns why it cannot be parsed, or null when it is well-formed.</summary>
    private static async Task<string?> CheckJsonAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken ct)
    {
        var media = response.Content.Headers.ContentType?.MediaType;
        if (media is null || !media.Contains("json", StringComparison.OrdinalIgnoreCase)) return null;
        // Buffered (in a pooled array), so the caller reads the same bytes again.
        var buffered = await PooledJsonContent.ReadAsync(response.Content, ct);
        response.Content = buffered;
        if (buffered.Span.Length == 0) return "empty JSON response";
        if (response.IsSuccessStatusCode && request.Options.TryGetValue(ParsedJsonBody.Key, out var option) && option is ParsedJsonBody body)
            return body.Parse(buffered.Span); // the caller's parse is the check
        try
        {
            var reader = new Utf8JsonReader(buffered.Span, new JsonReaderOptions { MaxDepth = 64 });
            while (reader.Read()) { }
        }
        catch (JsonException ex)
        {
            return $"malformed JSON ({ex.Message})";
        }
        return null;
    }

    /// <summary>"/users/{id}/..." names the mailbox; everything else shares one gate.</summary>
    internal static string MailboxOf(Uri? uri)
    {
        if (uri is null) return "";
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < segments.Length - 1; i++)
            if (segments[i].Equals("users", StringComparison.OrdinalIgnoreCase))
                return Uri.UnescapeDataString(segments[i + 1]);
        return "";
    }

    private static string PathOf(Uri? uri) => uri?.AbsolutePath ?? "(no uri)";
}

/// <summary>Counts what went over the wire; the scanner and the benchmark report it.</summary>
public sealed class GraphRequestCounter
{
    private long _requests, _retries, _throttled;
    private long _longestRetryAfterTicks;

    public long Requests => Interlocked.Read(ref _requests);
    public long Retries => Interlocked.Read(ref _retries);
    public long Throttled => Interlocked.Read(ref _throttled);
    public TimeSpan LongestRetryAfter => TimeSpan.FromTicks(Interlocked.Read(ref _longestRetryAfterTicks));

    internal void OnRequest() => Interlocked.Increment(ref _requests);
    internal void OnRetry() => Interlocked.Increment(ref _retries);

    internal void OnThrottled(TimeSpan? retryAfter)
    {
        Interlocked.Increment(ref _throttled);
        if (retryAfter is { } wait)
        {
            long seen;
            while (wait.Ticks > (seen = Interlocked.Read(ref _longestRetryAfterTicks)) &&
                   Interlocked.CompareExchange(ref _longestRetryAfterTicks, wait.Ticks, seen) != seen) { }
        }
    }
}

/// <summary>A Graph request still failed after every allowed retry.</summary>
public sealed class GraphRetriesExhaustedException(HttpMethod method, string path, int attempts, string lastFailure)
    : Exception($"Microsoft Graph {method} {path} failed {attempts} times; giving up. Last failure: {lastFailure}. " +
                "The scan stopped here and resumes from its last committed page on the next run.")
{
    public int Attempts => attempts;
    public string LastFailure => lastFailure;
}
