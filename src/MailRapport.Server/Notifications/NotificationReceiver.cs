using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Hangfire;
using MailRapport.Server.Observability;
using MailRapport.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Notifications;

/// <summary>What the notification endpoint saw since start (tests and the benchmark read it; the same counts go to telemetry).</summary>
public sealed class NotificationCounts
{
    private static readonly Counter<long> Notifications = Telemetry.Meter.CreateCounter<long>(
        "mailrapport.notifications", "{notification}", "Graph change and lifecycle notifications received, by outcome.");

    private long _accepted, _lifecycle, _unknown, _refused, _malformed, _scansQueued;

    /// <summary>Change notifications with a known subscription and the right client state.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);
    public long Lifecycle => Interlocked.Read(ref _lifecycle);
    /// <summary>Notifications naming a subscription this service does not have.</summary>
    public long Unknown => Interlocked.Read(ref _unknown);
    /// <summary>Notifications whose client state does not match the subscription's: not from Graph.</summary>
    public long Refused => Interlocked.Read(ref _refused);
    /// <summary>Bodies that were not a notification collection (or too large).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);
    /// <summary>Scans queued by notifications (the others found one queued already).</summary>
    public long ScansQueued => Interlocked.Read(ref _scansQueued);

    internal void Add(ref long field, string outcome, long n = 1)
    {
        if (n == 0) return;
        Interlocked.Add(ref field, n);
        Notifications.Add(n, new KeyValuePair<string, object?>("outcome", outcome));
    }

    internal void OnAccepted() => Add(ref _accepted, "accepted");
    internal void OnLifecycle() => Add(ref _lifecycle, "lifecycle");
    internal void OnUnknown() => Add(ref _unknown, "unknown_subscription");
    internal void OnRefused() => Add(ref _refused, "client_state_mismatch");
    internal void OnMalformed() => Add(ref _malformed, "malformed");
    internal void OnScanQueued() => Interlocked.Increment(ref _scansQueued);
}

/// <summary>
/// Graph's POSTs to the notification URLs. The validation handshake is echoed; a batch is checked item by item
/// (known subscription, its client state) and answered 202 at once: change notifications become one debounced scan
/// per mailbox (<see cref="MailboxScheduler.ScanSoonAsync"/>), lifecycle notifications a job (they call Graph).
/// Nothing an unauthenticated caller sends can queue work without a subscription's secret.
/// </summary>
public sealed class NotificationReceiver(
    SubscriptionStore store,
    MailboxScheduler scheduler,
    IBackgroundJobClient jobs,
    NotificationCounts counts,
    IOptions<NotificationOptions> options,
    ILogger<NotificationReceiver> log)
{
    /// <summary>Graph's validation tokens are short; anything longer is not one.</summary>
    private const int MaxValidationTokenLength = 1024;
    private const int MaxItems = 1000;

    public async Task<IResult> ReceiveAsync(HttpContext http)
    {
        var request = http.Request;
        if (request.Query.TryGetValue("validationToken", out var tokens))
        {
            var token = tokens.ToString();
            if (tokens.Count != 1 || token.Length is 0 or > MaxValidationTokenLength)
                return Problem(StatusCodes.Status400BadRequest, "Not a validation request", "validationToken must be one value of at most 1024 characters.");
            // Plain text, decoded (the query is already decoded), as Graph requires; nosniff keeps a browser from reading it as anything else.
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Text(token, "text/plain", System.Text.Encoding.UTF8, StatusCodes.Status200OK);
        }

        var limit = options.Value.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            counts.OnMalformed();
            return Problem(StatusCodes.Status413PayloadTooLarge, "Notification too large", $"A notification body may hold at most {limit} bytes.");
        }
        var body = await ReadLimitedAsync(request.Body, limit, http.RequestAborted);
        if (body is null)
        {
            counts.OnMalformed();
            return Problem(StatusCodes.Status413PayloadTooLarge, "Notification too large", $"A notification body may hold at most {limit} bytes.");
        }

        List<Item> items;
        try
        {
            items = Parse(body);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            counts.OnMalformed();
            log.LogWarning("Refused a notification body that is not a notification collection: {Reason}", e.Message);
            return Problem(StatusCodes.Status400BadRequest, "Malformed notification", "The body must be a JSON object with a \"value\" array of notifications.");
        }

        var ct = http.RequestAborted;
        var bySubscription = new Dictionary<string, StoredSubscription?>(StringComparer.Ordinal);
        var mailboxes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.SubscriptionId is not { Length: > 0 and <= 256 } id) { counts.OnUnknown(); continue; }
            if (!bySubscription.TryGetValue(id, out var sub))
                bySubscription[id] = sub = await store.FindAsync(id, ClientState.Hash(item.ClientState), ct);
            if (sub is null)
            {
                counts.OnUnknown();
                continue;
            }
            if (!ClientState.Matches(item.ClientState, sub.ClientStateHash))
            {
                counts.OnRefused();
                log.LogWarning("Refused a notification for subscription {Subscription} of {Mailbox}: its client state does not match", id, sub.MailboxId);
                continue;
            }
            if (item.LifecycleEvent is { } lifecycle)
            {
                counts.OnLifecycle();
                if (sub.SubscriptionId is { } known && lifecycle is LifecycleEvents.ReauthorizationRequired or LifecycleEvents.SubscriptionRemoved or LifecycleEvents.Missed)
                {
                    string subscriptionId = known, lifecycleEvent = lifecycle;
                    jobs.Enqueue<SubscriptionJob>(j => j.LifecycleAsync(subscriptionId, lifecycleEvent, CancellationToken.None));
                }
                else
                    log.LogInformation("Lifecycle notification {Event} for {Subscription} ignored", lifecycle, id);
                continue;
            }
            counts.OnAccepted();
            mailboxes.Add(sub.MailboxId);
        }
        foreach (var mailbox in mailboxes)
            if (await scheduler.ScanSoonAsync(mailbox, TimeSpan.FromSeconds(options.Value.DebounceSeconds), ct))
                counts.OnScanQueued();
        return Results.Accepted();
    }

    private sealed record Item(string? SubscriptionId, string? ClientState, string? LifecycleEvent);

    private static List<Item> Parse(byte[] body)
    {
        using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
            throw new FormatException("no \"value\" array");
        var items = new List<Item>();
        foreach (var element in value.EnumerateArray().Take(MaxItems))
        {
            if (element.ValueKind != JsonValueKind.Object) throw new FormatException("a notification is not an object");
            items.Add(new Item(Text(element, "subscriptionId"), Text(element, "clientState"), Text(element, "lifecycleEvent")));
        }
        return items;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    /// <summary>The body, or null when it holds more than <paramref name="limit"/> bytes (chunked bodies have no length up front).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, int limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 64 * 1024));
        try
        {
            using var copy = new MemoryStream();
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                if (copy.Length + read > limit) return null;
                copy.Write(buffer, 0, read);
            }
            return copy.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}

/// <summary>The lifecycle events Graph sends for Outlook subscriptions.</summary>
public static class LifecycleEvents
{
    public const string ReauthorizationRequired = "reauthorizationRequired";
    public const string SubscriptionRemoved = "subscriptionRemoved";
    public const string Missed = "missed";
}
