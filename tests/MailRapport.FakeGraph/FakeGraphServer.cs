using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MailRapport.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRapport.FakeGraph;

public enum FaultKind
{
    /// <summary>429 Too Many Requests with a Retry-After header.</summary>
    Throttle,
    /// <summary>503 Service Unavailable (with Retry-After when given).</summary>
    Unavailable,
    /// <summary>504 Gateway Timeout.</summary>
    GatewayTimeout,
    /// <summary>The connection is aborted before any response.</summary>
    DropConnection,
    /// <summary>200 with only the first half of the JSON body.</summary>
    TruncatedJson,
    /// <summary>410 Gone, error code syncStateNotFound; applies only to requests carrying a skip or delta token.</summary>
    ExpiredToken,
}

public sealed record Fault(FaultKind Kind, TimeSpan? RetryAfter = null, string? PathContains = null);

/// <summary>A user of the fake tenant's directory (GET /users/{id | userPrincipalName}).</summary>
public sealed record FakeUser(string Id, string UserPrincipalName, string? Mail = null);

/// <summary>One request as the server saw it (for asserting $select, Prefer headers, request counts).</summary>
public sealed record RecordedRequest(string Path, string Query, string? Prefer, int Status);

/// <summary>
/// A Microsoft Graph v1.0-compatible server for one mailbox on 127.0.0.1 (random port): mail folders with child
/// folders, per-folder message delta, calendarView delta, @odata.nextLink/@odata.deltaLink, @removed, and switchable
/// faults. Speaks the routes the Graph SDK calls (including the "delta()" form).
/// </summary>
public sealed partial class FakeGraphServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Lock _randomLock = new();
    private Random? _random;
    private double _faultRate;
    private FaultKind[] _randomKinds = [];
    private long _requestCount;

    private readonly FakeMailbox _mailbox;
    private readonly AsyncLocal<FakeMailbox?> _requested = new();

    /// <summary>The mailbox being served: the request's (with <see cref="MailboxFor"/>) or the one the server was started with.</summary>
    public FakeMailbox Mailbox => _requested.Value ?? _mailbox;

    /// <summary>Serves many mailboxes (the scale benchmark): the mailbox for a user name, or null for "no such user".</summary>
    public Func<string, FakeMailbox?>? MailboxFor { get; set; }

    /// <summary>Added to every response, as Graph's own latency.</summary>
    public TimeSpan Latency { get; set; }
    /// <summary>The tenant's directory: users by object id. The mailbox's owner is also reachable by their id once listed.</summary>
    public ConcurrentDictionary<string, FakeUser> Users { get; } = new(StringComparer.OrdinalIgnoreCase);

    public FakeUser AddUser(string id, string userPrincipalName, string? mail = null) => Users[id] = new FakeUser(id, userPrincipalName, mail);
    public string BaseUrl { get; private set; } = "";
    public int DefaultPageSize { get; set; } = 10;
    /// <summary>Upper bound on Prefer: odata.maxpagesize, as Graph caps it.</summary>
    public int MaxPageSize { get; set; } = 1000;
    public bool RecordRequests { get; set; } = true;
    public long RequestCount => Interlocked.Read(ref _requestCount);
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    private FakeGraphServer(FakeMailbox mailbox, WebApplication app)
    {
        _mailbox = mailbox;
        _app = app;
    }

    public static async Task<FakeGraphServer> StartAsync(FakeMailbox mailbox, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeGraphServer(mailbox, app);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/') + "/v1.0";
        return server;
    }

    /// <summary>The next request matching the fault (path filter; token requests for ExpiredToken) gets it.</summary>
    public void EnqueueFault(Fault fault) => _faults.Enqueue(fault);

    /// <summary>Every request has this chance of one of the given faults (seeded, so runs repeat).</summary>
    public void SetRandomFaults(double rate, int seed, params FaultKind[] kinds)
    {
        lock (_randomLock)
        {
            _faultRate = rate;
            _random = new Random(seed);
            _randomKinds = kinds;
        }
    }

    public void ClearFaults()
    {
        _faults.Clear();
        SetRandomFaults(0, 0);
    }

    public void ResetRequestLog()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _requestCount, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // ---------------- request handling ----------------

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requestCount);
        var path = context.Request.Path.Value ?? "";
        var query = context.Request.QueryString.Value ?? "";
        var prefer = context.Request.Headers["Prefer"].ToString();
        bool hasToken = context.Request.Query.ContainsKey("$skiptoken") || context.Request.Query.ContainsKey("$deltatoken");
        var fault = NextFault(path, hasToken);
        int status = 200;
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency);
        try
        {
            if (fault is not null)
            {
                status = await ApplyFaultAsync(context, fault);
                if (status != 200) return;
            }
            var (code, body) = Refusal(context, ref path) // Refusal: FakeTokenEndpoint.cs
                ?? (IsSubscriptionRoute(path) ? await RouteSubscriptionAsync(context, path) : Route(context, path));
            status = code;
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = code;
            if (code == StatusCodes.Status204NoContent) return;
            context.Response.ContentType = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";
            if (fault?.Kind == FaultKind.TruncatedJson)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                return;
            }
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes);
        }
        finally
        {
            if (RecordRequests) _requests.Enqueue(new RecordedRequest(path, query, prefer, status));
        }
    }

    private Fault? NextFault(string path, bool hasToken)
    {
        if (_faults.TryPeek(out var queued) && (queued.PathContains is null || path.Contains(queued.PathContains, StringComparison.OrdinalIgnoreCase)) &&
            (queued.Kind != FaultKind.ExpiredToken || hasToken) && _faults.TryDequeue(out var taken))
            return taken;
        lock (_randomLock)
        {
            if (_random is null || _faultRate <= 0 || _randomKinds.Length == 0 || _random.NextDouble() >= _faultRate) return null;
            var kind = _randomKinds[_random.Next(_randomKinds.Length)];
            if (kind == FaultKind.ExpiredToken && !hasToken) return null;
            return new Fault(kind, TimeSpan.FromSeconds(_random.Next(1, 400)));
        }
    }

    private static async Task<int> ApplyFaultAsync(HttpContext context, Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.Throttle:
            case FaultKind.Unavailable:
            case FaultKind.GatewayTimeout:
                int code = fault.Kind switch { FaultKind.Throttle => 429, FaultKind.Unavailable => 503, _ => 504 };
                context.Response.StatusCode = code;
                if (fault.RetryAfter is { } wait && fault.Kind != FaultKind.GatewayTimeout)
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Error(code == 429 ? "TooManyRequests" : "ServiceUnavailable", "Fault injected by the fake server."));
                return code;
            case FaultKind.DropConnection:
                context.Abort();
                return -1;
            case FaultKind.ExpiredToken:
                context.Response.StatusCode = 410;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Error("syncStateNotFound", "The sync state generation is not found or has expired."));
                return 410;
            default:
                return 200; // truncation happens while writing the body
        }
    }

    private (int Status, string Body) Route(HttpContext context, string path)
    {
        // /v1.0/users/{id}/...
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 3 || segments[0] != "v1.0" || !segments[1].Equals("users", StringComparison.OrdinalIgnoreCase))
            return (404, Error("ResourceNotFound", $"Unknown route {path}"));
        var user = Uri.UnescapeDataString(segments[2]);
        var directoryUser = Users.TryGetValue(user, out var byId) ? byId
            : Users.Values.FirstOrDefault(u => u.UserPrincipalName.Equals(user, StringComparison.OrdinalIgnoreCase));
        if (segments.Length == 3)
            return directoryUser is null
                ? (404, Error("Request_ResourceNotFound", $"Resource '{user}' does not exist or one of its queried reference-property objects are not present."))
                : (200, Json(w => WriteUser(w, directoryUser)));
        if (MailboxFor?.Invoke(user) is { } requested) _requested.Value = requested;
        // /users/{id}/... and /users/{upn}/... are the same mailbox as the one named by the user's address.
        if (directoryUser is not null && new[] { directoryUser.UserPrincipalName, directoryUser.Mail }.Contains(Mailbox.Owner, StringComparer.OrdinalIgnoreCase))
            user = Mailbox.Owner;
        if (!user.Equals(Mailbox.Owner, StringComparison.OrdinalIgnoreCase))
            return (404, Error("ErrorInvalidUser", $"The requested user '{user}' is invalid."));
        var rest = segments.Skip(3).SelectMany(SplitKeySegment).Select(Unparen).ToArray();
        var q = context.Request.Query;

        if (rest.Length >= 1 && rest[0].Equals("calendarView", StringComparison.OrdinalIgnoreCase) && rest.Length == 2 && IsDelta(rest[1]))
            return CalendarDelta(context);
        if (rest.Length == 0 || !rest[0].Equals("mailFolders", StringComparison.OrdinalIgnoreCase))
            return (404, Error("ResourceNotFound", $"Unknown route {path}"));
        if (rest.Length == 1)
            return FolderList(context, null);
        if (rest.Length == 2 && IsDelta(rest[1]))
            return FolderTreeDelta(context);
        var folder = Mailbox.FindFolder(FolderIdFrom(rest[1]));
        if (folder is null)
            return (404, Error("ErrorItemNotFound", "The specified object was not found in the store."));
        if (rest.Length == 2)
            return (200, Json(w => WriteFolder(w, folder)));
        if (rest.Length == 3 && rest[2].Equals("childFolders", StringComparison.OrdinalIgnoreCase))
            return FolderList(context, folder.Id);
        if (rest.Length == 3 && rest[2].Equals("messages", StringComparison.OrdinalIgnoreCase))
        {
            int top = int.TryParse(q["$top"], out var t) ? t : 10;
            var list = Mailbox.MessagesIn(folder.Id, top);
            return (200, Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("@odata.context", $"{BaseUrl}/$metadata#Collection(message)");
                w.WriteStartArray("value");
                foreach (var (id, m) in list) WriteMessage(w, id, m, true);
                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }
        if (rest.Length == 4 && rest[2].Equals("messages", StringComparison.OrdinalIgnoreCase) && IsDelta(rest[3]))
            return MessageDelta(context, folder);
        return (404, Error("ResourceNotFound", $"Unknown route {path}"));
    }

    private void WriteUser(Utf8JsonWriter w, FakeUser user)
    {
        w.WriteStartObject();
        w.WriteString("@odata.context", $"{BaseUrl}/$metadata#users(id,userPrincipalName,mail)/$entity");
        w.WriteString("id", user.Id);
        w.WriteString("userPrincipalName", user.UserPrincipalName);
        if (user.Mail is null) w.WriteNull("mail"); else w.WriteString("mail", user.Mail);
        w.WriteEndObject();
    }

    /// <summary>OData key syntax: "mailFolders('id')" is the same as "mailFolders/id".</summary>
    private static IEnumerable<string> SplitKeySegment(string segment)
    {
        int open = segment.IndexOf("('", StringComparison.Ordinal);
        if (open > 0 && segment.EndsWith("')", StringComparison.Ordinal))
            return [segment[..open], segment[(open + 2)..^2]];
        return [segment];
    }

    private static bool IsDelta(string segment) => segment.Equals("delta", StringComparison.OrdinalIgnoreCase);
    private static string Unparen(string segment) => segment.EndsWith("()", StringComparison.Ordinal) ? segment[..^2] : segment;

    /// <summary>mailFolders('id') and mailFolders/id both name a folder.</summary>
    private static string FolderIdFrom(string segment) => Uri.UnescapeDataString(segment).Trim('\'');

    private (int, string) FolderList(HttpContext context, string? parentId)
    {
        var q = context.Request.Query;
        int top = int.TryParse(q["$top"], out var t) ? Math.Clamp(t, 1, 1000) : 10;
        int skip = int.TryParse(q["$skip"], out var s) ? s : 0;
        // Graph lists well-known system folders such as Outbox too; hidden ones (Conversation History here) are left out.
        var all = Mailbox.ChildrenOf(parentId).Where(f => f.WellKnownName != "conversationhistory").ToList();
        var page = all.Skip(skip).Take(top).ToList();
        return (200, Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", $"{BaseUrl}/$metadata#users('{Mailbox.Owner}')/mailFolders");
            if (skip + top < all.Count)
            {
                var basePath = parentId is null ? "mailFolders" : $"mailFolders/{parentId}/childFolders";
                w.WriteString("@odata.nextLink", $"{BaseUrl}/users/{Uri.EscapeDataString(Mailbox.Owner)}/{basePath}?%24top={top}&%24skip={skip + top}");
            }
            w.WriteStartArray("value");
            foreach (var f in page) WriteFolder(w, f);
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private void WriteFolder(Utf8JsonWriter w, FakeFolder f)
    {
        w.WriteStartObject();
        w.WriteString("id", f.Id);
        w.WriteString("displayName", f.DisplayName);
        w.WriteString("parentFolderId", f.ParentId ?? "msgfolderroot");
        w.WriteNumber("childFolderCount", Mailbox.ChildrenOf(f.Id).Count);
        w.WriteNumber("unreadItemCount", 0);
        w.WriteNumber("totalItemCount", Mailbox.MessagesIn(f.Id, int.MaxValue).Count);
        w.WriteBoolean("isHidden", f.WellKnownName == "conversationhistory"); // as FolderList leaves it out
        w.WriteEndObject();
    }

    private int PageSize(HttpContext context)
    {
        foreach (var part in context.Request.Headers["Prefer"].SelectMany(v => (v ?? "").Split(',')))
        {
            var p = part.Trim();
            if (p.StartsWith("odata.maxpagesize=", StringComparison.OrdinalIgnoreCase) &&
                int.TryParse(p["odata.maxpagesize=".Length..], out var size) && size > 0)
                return Math.Min(size, MaxPageSize);
        }
        return DefaultPageSize;
    }

    private (int, string) MessageDelta(HttpContext context, FakeFolder folder)
    {
        var q = context.Request.Query;
        long since, upto;
        int offset;
        bool headers;
        if (q.TryGetValue("$skiptoken", out var skip))
        {
            if (!TryParseToken(skip!, out var parts, 4)) return (400, Error("BadRequest", "Malformed skip token."));
            (since, upto, offset, headers) = (parts[0], parts[1], (int)parts[2], parts[3] == 1);
        }
        else if (q.TryGetValue("$deltatoken", out var delta))
        {
            if (!TryParseToken(delta!, out var parts, 2)) return (400, Error("BadRequest", "Malformed delta token."));
            (since, upto, offset, headers) = (parts[0], Mailbox.Version, 0, parts[1] == 1);
        }
        else
        {
            var select = q["$select"].ToString();
            headers = select.Length == 0 || select.Contains("internetMessageHeaders", StringComparison.OrdinalIgnoreCase);
            (since, upto, offset) = (0, Mailbox.Version, 0);
        }
        var changes = Mailbox.FolderChanges(folder.Id, since, upto);
        if (changes is null) return (404, Error("ErrorItemNotFound", "The folder no longer exists."));
        int size = PageSize(context);
        var page = changes.Skip(offset).Take(size).ToList();
        bool more = offset + page.Count < changes.Count;
        var self = $"{BaseUrl}/users/{Uri.EscapeDataString(Mailbox.Owner)}/mailFolders('{folder.Id}')/messages/delta";
        return (200, Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", $"{BaseUrl}/$metadata#Collection(message)");
            if (more) w.WriteString("@odata.nextLink", $"{self}?$skiptoken={Token(since, upto, offset + page.Count, headers ? 1 : 0)}");
            else w.WriteString("@odata.deltaLink", $"{self}?$deltatoken={Token(upto, headers ? 1 : 0)}");
            w.WriteStartArray("value");
            foreach (var (id, removed, content) in page)
            {
                if (removed)
                {
                    w.WriteStartObject();
                    w.WriteString("@odata.type", "#microsoft.graph.message");
                    w.WriteString("id", id);
                    w.WriteStartObject("@removed");
                    w.WriteString("reason", "deleted");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                else WriteMessage(w, id, content!, headers);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private (int, string) CalendarDelta(HttpContext context)
    {
        var q = context.Request.Query;
        long since, upto, startTicks, endTicks;
        int offset;
        if (q.TryGetValue("$skiptoken", out var skip))
        {
            if (!TryParseToken(skip!, out var p, 5)) return (400, Error("BadRequest", "Malformed skip token."));
            (since, upto, offset, startTicks, endTicks) = (p[0], p[1], (int)p[2], p[3], p[4]);
        }
        else if (q.TryGetValue("$deltatoken", out var delta))
        {
            if (!TryParseToken(delta!, out var p, 3)) return (400, Error("BadRequest", "Malformed delta token."));
            (since, upto, offset, startTicks, endTicks) = (p[0], Mailbox.Version, 0, p[1], p[2]);
        }
        else
        {
            if (!DateTimeOffset.TryParse(q["startDateTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start) ||
                !DateTimeOffset.TryParse(q["endDateTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var end))
                return (400, Error("ErrorInvalidParameter", "startDateTime and endDateTime are required."));
            (since, upto, offset, startTicks, endTicks) = (0, Mailbox.Version, 0, start.UtcTicks, end.UtcTicks);
        }
        var changes = Mailbox.EventChanges(since, upto, new DateTimeOffset(startTicks, TimeSpan.Zero), new DateTimeOffset(endTicks, TimeSpan.Zero));
        int size = PageSize(context);
        var page = changes.Skip(offset).Take(size).ToList();
        bool more = offset + page.Count < changes.Count;
        var self = $"{BaseUrl}/users/{Uri.EscapeDataString(Mailbox.Owner)}/calendarView/delta";
        return (200, Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", $"{BaseUrl}/$metadata#Collection(event)");
            if (more) w.WriteString("@odata.nextLink", $"{self}?$skiptoken={Token(since, upto, offset + page.Count, startTicks, endTicks)}");
            else w.WriteString("@odata.deltaLink", $"{self}?$deltatoken={Token(upto, startTicks, endTicks)}");
            w.WriteStartArray("value");
            foreach (var (id, removed, content) in page)
            {
                if (removed)
                {
                    w.WriteStartObject();
                    w.WriteString("@odata.type", "#microsoft.graph.event");
                    w.WriteString("id", id);
                    w.WriteStartObject("@removed");
                    w.WriteString("reason", "deleted");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                else WriteEvent(w, content!);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private static string Token(params long[] parts) => "T" + string.Join("x", parts.Select(p => p.ToString(CultureInfo.InvariantCulture)));

    private static bool TryParseToken(string token, out long[] parts, int count)
    {
        parts = [];
        if (!token.StartsWith('T')) return false;
        var split = token[1..].Split('x');
        if (split.Length != count) return false;
        parts = new long[count];
        for (int i = 0; i < count; i++)
            if (!long.TryParse(split[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out parts[i])) return false;
        return true;
    }

    // ---------------- JSON shapes ----------------

    private void WriteMessage(Utf8JsonWriter w, string id, MessageInteraction m, bool headers)
    {
        var owner = Mailbox.Owner;
        w.WriteStartObject();
        w.WriteString("@odata.type", "#microsoft.graph.message");
        w.WriteString("@odata.etag", $"W/\"CQAAABYAAAD{id.Length}\"");
        w.WriteString("id", id);
        var when = m.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        w.WriteString("receivedDateTime", when);
        w.WriteString("sentDateTime", when);
        w.WriteString("subject", (m.IsReply ? "RE: " : "") + "Thread " + (m.ConversationId ?? m.Key));
        w.WriteString("internetMessageId", InternetMessageId(m.Key));
        if (m.ConversationId is not null) w.WriteString("conversationId", m.ConversationId);
        w.WriteString("conversationIndex", Convert.ToBase64String(ConversationIndex(m)));
        w.WriteBoolean("isDraft", false);
        w.WriteBoolean("isRead", true);
        WriteRecipient(w, "sender", m.From, m.FromDisplayName);
        WriteRecipient(w, "from", m.From, m.FromDisplayName);
        foreach (var (name, role) in new[] { ("toRecipients", RecipientRole.To), ("ccRecipients", RecipientRole.Cc), ("bccRecipients", RecipientRole.Bcc) })
        {
            w.WriteStartArray(name);
            // A Bcc'd owner does not appear on the copy it receives: the absence is what says "Bcc".
            if (m.Direction == Direction.Incoming && m.OwnerRole == role && role != RecipientRole.Bcc)
                WriteEmail(w, owner, Mailbox.OwnerDisplayName);
            foreach (var c in m.Counterparts.Where(c => c.Role == role))
                WriteEmail(w, c.Address, c.DisplayName);
            w.WriteEndArray();
        }
        if (headers)
        {
            w.WriteStartArray("internetMessageHeaders");
            WriteHeader(w, "Received", "from mail.example.net by mx.example.com with ESMTPS");
            WriteHeader(w, "Message-ID", InternetMessageId(m.Key));
            if (m.Markers.HasFlag(AutomationMarkers.ListId)) WriteHeader(w, "List-Id", "<news.example.net>");
            if (m.Markers.HasFlag(AutomationMarkers.ListUnsubscribe)) WriteHeader(w, "List-Unsubscribe", "<mailto:unsubscribe@example.net>");
            if (m.Markers.HasFlag(AutomationMarkers.PrecedenceBulk)) WriteHeader(w, "Precedence", "bulk");
            if (m.Markers.HasFlag(AutomationMarkers.AutoSubmitted)) WriteHeader(w, "Auto-Submitted", "auto-generated");
            WriteHeader(w, "X-Microsoft-Antispam", m.Markers.HasFlag(AutomationMarkers.Bulk) ? "BCL:8;" : "BCL:0;");
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static string InternetMessageId(string key) => key.StartsWith('<') ? key : "<" + key + ">";

    /// <summary>22-byte header block, plus one 5-byte child block for a reply.</summary>
    private static byte[] ConversationIndex(MessageInteraction m)
    {
        var bytes = new byte[m.IsReply ? 27 : 22];
        var seed = (m.ConversationId ?? m.Key).GetHashCode();
        new Random(seed).NextBytes(bytes);
        bytes[0] = 1;
        return bytes;
    }

    private static void WriteHeader(Utf8JsonWriter w, string name, string value)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("value", value);
        w.WriteEndObject();
    }

    private static void WriteRecipient(Utf8JsonWriter w, string property, string address, string? name)
    {
        w.WritePropertyName(property);
        WriteEmail(w, address, name);
    }

    private static void WriteEmail(Utf8JsonWriter w, string address, string? name)
    {
        w.WriteStartObject();
        w.WriteStartObject("emailAddress");
        w.WriteString("name", name ?? address);
        w.WriteString("address", address);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private void WriteEvent(Utf8JsonWriter w, MeetingInteraction m)
    {
        bool ownerOrganizes = m.OwnerResponse == AttendeeResponse.Organizer;
        w.WriteStartObject();
        w.WriteString("@odata.type", "#microsoft.graph.event");
        w.WriteString("@odata.etag", "W/\"EZ9r3czxY0m2jz8c45czkwAAFXcvIQ==\"");
        w.WriteString("id", m.Key);
        w.WriteString("subject", "Meeting");
        w.WriteStartObject("body");
        w.WriteString("contentType", "html");
        w.WriteString("content", "");
        w.WriteEndObject();
        w.WriteBoolean("isCancelled", m.IsCancelled);
        w.WriteBoolean("isOrganizer", ownerOrganizes);
        w.WriteBoolean("isAllDay", false);
        w.WriteString("type", m.IsRecurring ? "occurrence" : "singleInstance");
        if (m.IsRecurring) w.WriteString("seriesMasterId", "master-" + m.Key);
        else w.WriteNull("seriesMasterId");
        WriteDateTime(w, "start", m.Start);
        WriteDateTime(w, "end", m.End);
        w.WriteStartObject("responseStatus");
        w.WriteString("response", ResponseName(m.OwnerResponse));
        w.WriteString("time", "0001-01-01T00:00:00Z");
        w.WriteEndObject();
        w.WriteStartObject("location");
        w.WriteString("displayName", "");
        w.WriteEndObject();
        w.WritePropertyName("organizer");
        WriteEmail(w, m.Organizer, m.OrganizerDisplayName);
        w.WriteStartArray("attendees");
        foreach (var a in m.Attendees)
        {
            w.WriteStartObject();
            w.WriteString("type", a.Kind switch { AttendeeKind.Optional => "optional", AttendeeKind.Resource => "resource", _ => "required" });
            w.WriteStartObject("status");
            w.WriteString("response", ResponseName(a.Response));
            w.WriteString("time", "0001-01-01T00:00:00Z");
            w.WriteEndObject();
            w.WriteStartObject("emailAddress");
            w.WriteString("name", a.DisplayName ?? a.Address);
            w.WriteString("address", a.Address);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string ResponseName(AttendeeResponse r) => r switch
    {
        AttendeeResponse.Organizer => "organizer",
        AttendeeResponse.Accepted => "accepted",
        AttendeeResponse.TentativelyAccepted => "tentativelyAccepted",
        AttendeeResponse.Declined => "declined",
        AttendeeResponse.NotResponded => "notResponded",
        _ => "none",
    };

    private static void WriteDateTime(Utf8JsonWriter w, string name, DateTimeOffset value)
    {
        w.WriteStartObject(name);
        w.WriteString("dateTime", value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture));
        w.WriteString("timeZone", "UTC");
        w.WriteEndObject();
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) write(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Error(string code, string message) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteStartObject("innerError");
        w.WriteString("request-id", Guid.NewGuid().ToString());
        w.WriteString("date", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    });
}
