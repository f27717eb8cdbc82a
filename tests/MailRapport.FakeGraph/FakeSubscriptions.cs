using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MailRapport.FakeGraph;

/// <summary>A change-notification subscription as the fake server keeps it.</summary>
public sealed record FakeSubscription(
    string Id, string Resource, string ChangeType, string NotificationUrl, string? LifecycleNotificationUrl,
    string? ClientState, DateTimeOffset ExpirationDateTime, string User, string Kind);

/// <summary>One POST the fake server made to a notification URL, with the answer it got (status -1: no answer).</summary>
public sealed record FakeDelivery(string Url, string Sent, int Status, string Answer, TimeSpan Took);

/// <summary>
/// Graph's change notifications on the fake server: POST/PATCH/DELETE /subscriptions and POST /subscriptions/{id}/reauthorize,
/// the validation handshake to both URLs before a subscription is created (200 text/plain echo within 10 s, as Graph
/// requires), a change notification to the notification URL whenever a test changes a message or event of a
/// subscribed <see cref="FakeMailbox"/>, and lifecycle notifications when a test asks for them.
/// </summary>
public sealed partial class FakeGraphServer
{
    /// <summary>Graph's longest subscription to Outlook messages and events without resource data.</summary>
    public static readonly TimeSpan MaxSubscriptionLifetime = TimeSpan.FromMinutes(10_080);

    private readonly ConcurrentDictionary<string, FakeSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeDelivery> _deliveries = new();
    private readonly ConcurrentDictionary<FakeMailbox, bool> _watched = new();
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private HttpClient? _notifier;
    private long _subscriptionSeq;

    /// <summary>Graph's clock for subscription expiry (tests give the service's fake clock).</summary>
    public TimeProvider SubscriptionClock { get; set; } = TimeProvider.System;

    /// <summary>
    /// Carries the handshake and the notifications to the notification URLs: a real socket by default, or an
    /// in-process server's handler (a test host has no port).
    /// </summary>
    public HttpMessageHandler? NotificationHandler { get; set; }

    /// <summary>Whether adding a message or event sends change notifications (a test may turn it off to send its own).</summary>
    public bool SendChangeNotifications { get; set; } = true;

    public IReadOnlyList<FakeSubscription> Subscriptions => _subscriptions.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
    public IReadOnlyList<FakeDelivery> Deliveries => _deliveries.ToList();

    /// <summary>Waits until every notification sent so far has been answered.</summary>
    public Task WhenDeliveredAsync() => Task.WhenAll(_inFlight.Keys.ToArray());

    /// <summary>Graph removes a subscription on its own (access changed): it is gone, and a subscriptionRemoved lifecycle notification follows.</summary>
    public Task<int> RemoveSubscriptionAsync(string id)
    {
        if (!_subscriptions.TryRemove(id, out var sub)) throw new InvalidOperationException($"no subscription {id}");
        return SendLifecycleAsync(sub, "subscriptionRemoved");
    }

    /// <summary>A subscription lapses at Graph without a word (it expired while nobody renewed it).</summary>
    public bool ExpireSubscription(string id) => _subscriptions.TryRemove(id, out _);

    /// <summary>Sends a lifecycle notification (reauthorizationRequired, missed, subscriptionRemoved) for a live subscription.</summary>
    public Task<int> SendLifecycleAsync(string id, string lifecycleEvent) =>
        SendLifecycleAsync(_subscriptions.TryGetValue(id, out var sub) ? sub : throw new InvalidOperationException($"no subscription {id}"), lifecycleEvent);

    /// <summary>Posts a body of the test's own making to a subscription's notification URL; returns the status.</summary>
    public async Task<int> PostToNotificationUrlAsync(string url, string body)
    {
        var delivery = await PostAsync(url, body, "application/json");
        return delivery.Status;
    }

    /// <summary>A change notification as Graph would send it for one subscription, optionally with another client state.</summary>
    public string ChangeNotificationBody(FakeSubscription sub, string itemId, string changeType, string? clientState = null) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("value");
        WriteChange(w, sub, itemId, changeType, clientState ?? sub.ClientState);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static bool IsSubscriptionRoute(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length >= 2 && segments[0] == "v1.0" && segments[1].Equals("subscriptions", StringComparison.OrdinalIgnoreCase);
    }

    private async Task<(int Status, string Body)> RouteSubscriptionAsync(HttpContext context, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = context.Request.Method;
        if (segments.Length == 2 && HttpMethods.IsPost(method))
            return await CreateSubscriptionAsync(context);
        if (segments.Length < 3) return (405, Error("MethodNotAllowed", $"{method} {path} is not supported."));
        var id = Uri.UnescapeDataString(segments[2]);
        if (!_subscriptions.TryGetValue(id, out var sub))
            return (404, Error("ResourceNotFound", $"The object was not found: subscription {id}."));
        if (SubscriptionRefusal(context, sub.User, sub.Kind) is { } refused) return refused;
        if (segments.Length == 4 && segments[3].Equals("reauthorize", StringComparison.OrdinalIgnoreCase) && HttpMethods.IsPost(method))
            return (204, "");
        if (segments.Length != 3) return (404, Error("ResourceNotFound", $"Unknown route {path}"));
        if (HttpMethods.IsDelete(method))
            return _subscriptions.TryRemove(id, out _) ? (204, "") : (404, Error("ResourceNotFound", $"subscription {id}"));
        if (HttpMethods.IsGet(method))
            return (200, Json(w => WriteSubscription(w, sub)));
        if (!HttpMethods.IsPatch(method)) return (405, Error("MethodNotAllowed", $"{method} {path} is not supported."));
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        if (!TryExpiry(body.RootElement, out var expires, out var problem)) return (400, Error("InvalidRequest", problem));
        var renewed = sub with { ExpirationDateTime = expires };
        _subscriptions[id] = renewed;
        return (200, Json(w => WriteSubscription(w, renewed)));
    }

    private async Task<(int, string)> CreateSubscriptionAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var root = body.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        var changeType = Text("changeType");
        var resource = Text("resource");
        var notificationUrl = Text("notificationUrl");
        var lifecycleUrl = Text("lifecycleNotificationUrl");
        var clientState = Text("clientState");
        if (string.IsNullOrEmpty(changeType) || string.IsNullOrEmpty(resource) || string.IsNullOrEmpty(notificationUrl))
            return (400, Error("InvalidRequest", "changeType, resource and notificationUrl are required."));
        if (clientState is { Length: > 128 })
            return (400, Error("InvalidRequest", "clientState may hold at most 128 characters."));
        if (!TryExpiry(root, out var expires, out var problem)) return (400, Error("InvalidRequest", problem));
        // users/{id | upn}/messages or users/{id | upn}/events of a mailbox this server serves.
        var parts = resource.Trim('/').Split('/');
        if (parts.Length != 3 || !parts[0].Equals("users", StringComparison.OrdinalIgnoreCase) ||
            !(parts[2].Equals("messages", StringComparison.OrdinalIgnoreCase) || parts[2].Equals("events", StringComparison.OrdinalIgnoreCase)))
            return (400, Error("InvalidRequest", $"Resource '{resource}' is not supported by the fake server."));
        var mailbox = MailboxOfUser(parts[1]);
        if (mailbox is null) return (404, Error("ResourceNotFound", $"The requested user '{parts[1]}' is invalid."));
        if (SubscriptionRefusal(context, parts[1], parts[2]) is { } refused) return refused;

        // The handshake, as Graph does it before it answers: both URLs must echo the token within 10 seconds.
        foreach (var url in new[] { notificationUrl, lifecycleUrl }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var token = "Validation: Testing client application reachability for subscription Request-Id: " + Guid.NewGuid();
            var answer = await PostAsync($"{url}{(url.Contains('?') ? '&' : '?')}validationToken={Uri.EscapeDataString(token)}", "", "text/plain", TimeSpan.FromSeconds(10));
            if (answer.Status != 200 || answer.Answer != token)
                return (400, Error("ValidationError", $"Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request ({url} answered {answer.Status})."));
        }

        var sub = new FakeSubscription($"{Guid.NewGuid()}-{Interlocked.Increment(ref _subscriptionSeq)}", resource, changeType, notificationUrl, lifecycleUrl,
            clientState, expires, parts[1], parts[2].ToLowerInvariant());
        _subscriptions[sub.Id] = sub;
        if (_watched.TryAdd(mailbox, true))
            mailbox.Changed += (kind, itemId, change) => OnMailboxChanged(mailbox, kind, itemId, change);
        return (201, Json(w => WriteSubscription(w, sub)));
    }

    private bool TryExpiry(JsonElement root, out DateTimeOffset expires, out string problem)
    {
        expires = default;
        problem = "";
        if (!root.TryGetProperty("expirationDateTime", out var p) || p.ValueKind != JsonValueKind.String ||
            !DateTimeOffset.TryParse(p.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out expires))
        {
            problem = "expirationDateTime is required.";
            return false;
        }
        var now = SubscriptionClock.GetUtcNow();
        if (expires <= now) { problem = "Subscription expiration can only be in the future."; return false; }
        if (expires > now + MaxSubscriptionLifetime)
        {
            problem = $"Subscription expiration exceeds the maximum allowed for this resource ({MaxSubscriptionLifetime.TotalMinutes} minutes).";
            return false;
        }
        return true;
    }

    private FakeMailbox? MailboxOfUser(string user)
    {
        if (MailboxFor?.Invoke(user) is { } served) return served;
        var directoryUser = Users.TryGetValue(user, out var byId) ? byId
            : Users.Values.FirstOrDefault(u => u.UserPrincipalName.Equals(user, StringComparison.OrdinalIgnoreCase));
        if (directoryUser is not null && new[] { directoryUser.UserPrincipalName, directoryUser.Mail }.Contains(_mailbox.Owner, StringComparer.OrdinalIgnoreCase))
            return _mailbox;
        return user.Equals(_mailbox.Owner, StringComparison.OrdinalIgnoreCase) ? _mailbox : null;
    }

    private void OnMailboxChanged(FakeMailbox mailbox, string kind, string itemId, string changeType)
    {
        if (!SendChangeNotifications) return;
        var now = SubscriptionClock.GetUtcNow();
        foreach (var sub in _subscriptions.Values)
        {
            if (sub.Kind != kind || sub.ExpirationDateTime <= now || !sub.ChangeType.Split(',').Contains(changeType, StringComparer.OrdinalIgnoreCase)) continue;
            if (!ReferenceEquals(MailboxOfUser(sub.User), mailbox)) continue;
            Track(PostAsync(sub.NotificationUrl, ChangeNotificationBody(sub, itemId, changeType), "application/json"));
        }
    }

    private async Task<int> SendLifecycleAsync(FakeSubscription sub, string lifecycleEvent)
    {
        var body = Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("value");
            w.WriteStartObject();
            w.WriteString("subscriptionId", sub.Id);
            w.WriteString("subscriptionExpirationDateTime", sub.ExpirationDateTime.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
            w.WriteString("tenantId", "aaaaaaaa-0000-0000-0000-000000000001");
            if (sub.ClientState is null) w.WriteNull("clientState"); else w.WriteString("clientState", sub.ClientState);
            w.WriteString("lifecycleEvent", lifecycleEvent);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return (await PostAsync(sub.LifecycleNotificationUrl ?? sub.NotificationUrl, body, "application/json")).Status;
    }

    private void WriteChange(Utf8JsonWriter w, FakeSubscription sub, string itemId, string changeType, string? clientState)
    {
        var odataType = sub.Kind == "events" ? "#Microsoft.Graph.Event" : "#Microsoft.Graph.Message";
        var collection = sub.Kind == "events" ? "Events" : "Messages";
        w.WriteStartObject();
        w.WriteString("subscriptionId", sub.Id);
        w.WriteString("subscriptionExpirationDateTime", sub.ExpirationDateTime.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
        w.WriteString("changeType", changeType);
        w.WriteString("resource", $"Users/{sub.User}/{collection}/{itemId}");
        w.WriteStartObject("resourceData");
        w.WriteString("@odata.type", odataType);
        w.WriteString("@odata.id", $"Users/{sub.User}/{collection}/{itemId}");
        w.WriteString("@odata.etag", "W/\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\"");
        w.WriteString("id", itemId);
        w.WriteEndObject();
        if (clientState is null) w.WriteNull("clientState"); else w.WriteString("clientState", clientState);
        w.WriteString("tenantId", "aaaaaaaa-0000-0000-0000-000000000001");
        w.WriteEndObject();
    }

    private void WriteSubscription(Utf8JsonWriter w, FakeSubscription sub)
    {
        w.WriteStartObject();
        w.WriteString("@odata.context", $"{BaseUrl}/$metadata#subscriptions/$entity");
        w.WriteString("id", sub.Id);
        w.WriteString("resource", sub.Resource);
        w.WriteString("applicationId", "11111111-2222-3333-4444-555555555555");
        w.WriteString("changeType", sub.ChangeType);
        if (sub.ClientState is null) w.WriteNull("clientState"); else w.WriteString("clientState", sub.ClientState);
        w.WriteString("notificationUrl", sub.NotificationUrl);
        if (sub.LifecycleNotificationUrl is null) w.WriteNull("lifecycleNotificationUrl"); else w.WriteString("lifecycleNotificationUrl", sub.LifecycleNotificationUrl);
        w.WriteString("expirationDateTime", sub.ExpirationDateTime.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
        w.WriteString("creatorId", "fake-app");
        w.WriteString("latestSupportedTlsVersion", "v1_2");
        w.WriteBoolean("includeResourceData", false);
        w.WriteEndObject();
    }

    private void Track(Task task)
    {
        _inFlight[task] = true;
        task.ContinueWith(t => _inFlight.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task<FakeDelivery> PostAsync(string url, string body, string mediaType, TimeSpan? timeout = null)
    {
        HttpMessageInvoker client = NotificationHandler is { } handler
            ? new HttpMessageInvoker(handler, disposeHandler: false)
            : LazyInitializer.EnsureInitialized(ref _notifier, () => new HttpClient { Timeout = Timeout.InfiniteTimeSpan });
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        FakeDelivery delivery;
        try
        {
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30)); // Graph waits 3 s for a notification; a test machine is slower
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
            using var response = await client.SendAsync(request, cts.Token);
            delivery = new FakeDelivery(url, body, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cts.Token),
                System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            delivery = new FakeDelivery(url, body, -1, e.Message, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        if (!url.Contains("validationToken=", StringComparison.Ordinal)) _deliveries.Enqueue(delivery);
        return delivery;
    }
}
