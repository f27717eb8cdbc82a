using System.Net;
using MailRapport.Core;
using MailRapport.Server.Graph;
using MailRapport.Server.Hosting;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MailRapport.Server.Tests.Graph;

public sealed class GraphOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000/v1.0", null, null, null, null, true)]
    [InlineData("http://localhost:5000/v1.0", null, null, null, null, true)]
    [InlineData("https://graph.microsoft.com/v1.0", null, null, null, null, false)]
    [InlineData("https://graph.microsoft.com/v1.0", "tenant", "client", "secret", null, true)]
    [InlineData("https://graph.microsoft.com/v1.0", "tenant", "client", null, "/x/cert.pfx", true)]
    [InlineData("https://graph.microsoft.com/v1.0", "tenant", "client", "secret", "/x/cert.pfx", false)]
    [InlineData("https://graph.microsoft.com/v1.0", "tenant", null, "secret", null, false)]
    [InlineData("http://graph.example.com/v1.0", "tenant", "client", "secret", null, false)]
    [InlineData("not a url", null, null, null, null, false)]
    public void Credentials_are_required_except_on_loopback(string baseUrl, string? tenant, string? client, string? secret, string? cert, bool valid)
    {
        var options = new GraphOptions { BaseUrl = baseUrl, TenantId = tenant, ClientId = client, ClientSecret = secret, CertificatePath = cert };
        if (valid) options.ThrowIfInvalid();
        else Assert.Throws<InvalidOperationException>(options.ThrowIfInvalid);
    }

    [Fact]
    public void Loopback_base_url_uses_no_credentials()
    {
        var auth = MailGraphClientFactory.CreateAuthentication(new GraphOptions { BaseUrl = "http://127.0.0.1:1/v1.0" });
        Assert.IsType<Microsoft.Kiota.Abstractions.Authentication.AnonymousAuthenticationProvider>(auth);
    }
}

public sealed class GraphThrottlingHandlerTests
{
    private sealed class SlowServer : HttpMessageHandler
    {
        private int _inFlight;
        public int MaxInFlight;
        public readonly Dictionary<string, int> MaxPerMailbox = [];
        private readonly Dictionary<string, int> _perMailbox = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var mailbox = GraphThrottlingHandler.MailboxOf(request.RequestUri);
            lock (this)
            {
                _inFlight++;
                MaxInFlight = Math.Max(MaxInFlight, _inFlight);
                _perMailbox[mailbox] = _perMailbox.GetValueOrDefault(mailbox) + 1;
                MaxPerMailbox[mailbox] = Math.Max(MaxPerMailbox.GetValueOrDefault(mailbox), _perMailbox[mailbox]);
            }
            await Task.Delay(20, ct);
            lock (this) { _inFlight--; _perMailbox[mailbox]--; }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"value\":[]}", System.Text.Encoding.UTF8, "application/json") };
        }
    }

    [Fact]
    public async Task At_most_four_requests_are_in_flight_per_mailbox()
    {
        var server = new SlowServer();
        using var client = new HttpClient(new GraphThrottlingHandler(new GraphOptions()) { InnerHandler = server });
        var calls = Enumerable.Range(0, 40).Select(i =>
            client.GetAsync($"http://127.0.0.1/v1.0/users/{(i % 2 == 0 ? "a@x.com" : "b@x.com")}/mailFolders/inbox/messages/delta()"));
        await Task.WhenAll(calls);
        Assert.Equal(4, server.MaxPerMailbox["a@x.com"]);
        Assert.Equal(4, server.MaxPerMailbox["b@x.com"]);
        Assert.True(server.MaxInFlight > 4, "mailboxes should not share one gate");
    }

    [Fact]
    public async Task One_mailbox_named_by_upn_and_by_object_id_shares_one_gate()
    {
        var server = new SlowServer();
        using var client = new HttpClient(new GraphThrottlingHandler(new GraphOptions()) { InnerHandler = server });
        // A scan of one mailbox asks for /users/{upn}/... and /users/{object id}/... at once.
        async Task<HttpResponseMessage> Get(int i)
        {
            using var scope = GraphThrottlingHandler.ForMailbox("A@x.com");
            var user = i % 2 == 0 ? "a@x.com" : "0a11ce00-0000-0000-0000-000000000001";
            return await client.GetAsync($"http://127.0.0.1/v1.0/users/{user}/mailFolders/inbox/messages/delta()");
        }
        await Task.WhenAll(Enumerable.Range(0, 40).Select(Get));
        Assert.Equal(4, server.MaxInFlight); // not 4 per spelling (8)
        // Outside a scan the URL decides, as before.
        Assert.Equal("0a11ce00-0000-0000-0000-000000000001", GraphThrottlingHandler.GateOf(new Uri("http://127.0.0.1/v1.0/users/0a11ce00-0000-0000-0000-000000000001/events")));
    }

    private sealed class ScriptedServer(params HttpResponseMessage[] responses) : HttpMessageHandler
    {
        private int _next;
        public int Calls => _next;
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            Task.FromResult(responses[Math.Min(_next++, responses.Length - 1)]);
    }

    private static HttpResponseMessage Status(HttpStatusCode code, int? retryAfterSeconds = null)
    {
        var r = new HttpResponseMessage(code) { Content = new StringContent("{\"error\":{\"code\":\"x\"}}", System.Text.Encoding.UTF8, "application/json") };
        if (retryAfterSeconds is { } s) r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(s));
        return r;
    }

    [Fact]
    public async Task Retry_after_of_any_size_is_waited_for_through_the_injected_delay()
    {
        var waits = new List<TimeSpan>();
        var server = new ScriptedServer(Status(HttpStatusCode.TooManyRequests, 300), Status(HttpStatusCode.ServiceUnavailable, 1000), Status(HttpStatusCode.OK));
        using var client = new HttpClient(new GraphThrottlingHandler(new GraphOptions(), (d, _) => { waits.Add(d); return Task.CompletedTask; }) { InnerHandler = server });
        var response = await client.GetAsync("http://127.0.0.1/v1.0/users/a@x.com/mailFolders");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(1000)], waits);
    }

    [Fact]
    public async Task Without_retry_after_the_backoff_grows_and_is_bounded()
    {
        var waits = new List<TimeSpan>();
        var options = new GraphOptions { MaxRetries = 5, InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(5) };
        var server = new ScriptedServer(Status(HttpStatusCode.GatewayTimeout));
        using var client = new HttpClient(new GraphThrottlingHandler(options, (d, _) => { waits.Add(d); return Task.CompletedTask; }) { InnerHandler = server });
        var error = await Assert.ThrowsAsync<GraphRetriesExhaustedException>(() => client.GetAsync("http://127.0.0.1/v1.0/users/a@x.com/mailFolders"));
        Assert.Equal(6, server.Calls);
        Assert.Equal(5, waits.Count);
        Assert.True(waits[1] > waits[0]);
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromSeconds(0.7), TimeSpan.FromSeconds(5)));
        Assert.Contains("504", error.Message, StringComparison.Ordinal);
        Assert.Contains("/v1.0/users/a@x.com/mailFolders", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        var server = new ScriptedServer(Status(HttpStatusCode.Gone));
        using var client = new HttpClient(new GraphThrottlingHandler(new GraphOptions()) { InnerHandler = server });
        var response = await client.GetAsync("http://127.0.0.1/v1.0/users/a@x.com/mailFolders/x/messages/delta()");
        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Equal(1, server.Calls);
    }
}

public sealed class GraphInteractionMapperTests
{
    // Owners as stored: canonical, normalised once where they entered (the mapper normalises what Graph sends).
    private static readonly GraphInteractionMapper Mapper = new(["me@corp.example", "me.alias@corp.example"]);

    private static GraphRecipient R(string address, string? name = null) => new() { EmailAddress = new GraphEmailAddress { Address = address, Name = name } };

    private static GraphMessage Incoming() => new()
    {
        Id = "AAMk1",
        InternetMessageId = "<ABC@Mail.Example>",
        From = R("Jane@Other.Example", "Jane Doe"),
        ToRecipients = [R("me@corp.example", "Me"), R("bob@other.example", "bob@other.example")],
        CcRecipients = [R("carol@other.example", "Carol")],
        SentDateTime = new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.FromHours(2)),
        ConversationId = "conv1",
    };

    [Fact]
    public void Incoming_message_maps_counterparts_roles_and_key()
    {
        var m = Mapper.Map(Incoming())!;
        Assert.Equal("abc@mail.example", m.Key);
        Assert.Equal(Direction.Incoming, m.Direction);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero), m.Timestamp);
        Assert.Equal(TimeSpan.Zero, m.Timestamp.Offset);
        Assert.Equal(
            [new Counterpart("jane@other.example", "Jane Doe", RecipientRole.From), new Counterpart("bob@other.example", null, RecipientRole.To),
             new Counterpart("carol@other.example", "Carol", RecipientRole.Cc)],
            m.Counterparts);
        Assert.Equal(3, m.RecipientCount);
        Assert.Equal(RecipientRole.To, m.OwnerRole);
        Assert.Equal("conv1", m.ConversationId);
    }

    [Fact]
    public void Message_from_any_owner_address_is_outgoing()
    {
        var message = Incoming();
        message.From = R("Me.Alias@Corp.Example");
        var m = Mapper.Map(message)!;
        Assert.Equal(Direction.Outgoing, m.Direction);
        Assert.DoesNotContain(m.Counterparts, c => c.Role == RecipientRole.From);
    }

    [Fact]
    public void Owner_missing_from_to_and_cc_means_bcc()
    {
        var message = Incoming();
        message.ToRecipients = [R("list@other.example")];
        Assert.Equal(RecipientRole.Bcc, Mapper.Map(message)!.OwnerRole);
    }

    [Fact]
    public void Drafts_and_messages_without_sender_or_date_are_not_interactions()
    {
        var draft = Incoming();
        draft.IsDraft = true;
        Assert.Null(Mapper.Map(draft));
        var noSender = Incoming();
        noSender.From = null;
        Assert.Null(Mapper.Map(noSender));
        var noDate = Incoming();
        noDate.SentDateTime = null;
        Assert.Null(Mapper.Map(noDate));
    }

    [Theory]
    [InlineData(22, null, false)]
    [InlineData(27, null, true)]
    [InlineData(0, "RE: budget", true)]
    [InlineData(0, "AW: Budget", true)]
    [InlineData(0, "Budget", false)]
    [InlineData(22, "RE: budget", false)] // the index is the better witness: a fresh thread titled "RE:"
    public void Reply_is_read_from_conversation_index_then_subject(int indexLength, string? subject, bool reply)
    {
        var message = Incoming();
        message.ConversationIndex = indexLength == 0 ? null : Convert.ToBase64String(new byte[indexLength]);
        message.Subject = subject;
        Assert.Equal(reply, Mapper.Map(message)!.IsReply);
    }

    [Theory]
    [InlineData("List-Id", "<news.example.net>", AutomationMarkers.ListId)]
    [InlineData("List-Unsubscribe", "<mailto:u@x>", AutomationMarkers.ListUnsubscribe)]
    [InlineData("Precedence", "bulk", AutomationMarkers.PrecedenceBulk)]
    [InlineData("Precedence", "first-class", AutomationMarkers.None)]
    [InlineData("Auto-Submitted", "auto-replied", AutomationMarkers.AutoSubmitted)]
    [InlineData("Auto-Submitted", "no", AutomationMarkers.None)]
    [InlineData("X-Microsoft-Antispam", "BCL:7;", AutomationMarkers.Bulk)]
    [InlineData("X-Microsoft-Antispam", "BCL:3;", AutomationMarkers.None)]
    public void Bulk_markers_come_from_internet_message_headers(string name, string value, AutomationMarkers expected)
    {
        Assert.Equal(expected, GraphInteractionMapper.Markers([new GraphHeader { Name = name, Value = value }]));
    }

    [Fact]
    public void A_link_request_is_what_the_request_builder_makes_of_the_link()
    {
        using var http = new HttpClient();
        var graph = new Microsoft.Graph.GraphServiceClient(http, new Microsoft.Kiota.Abstractions.Authentication.AnonymousAuthenticationProvider(), "http://127.0.0.1:1/v1.0");
        const string link = "http://127.0.0.1:1/v1.0/users/me%40corp.example/mailFolders/AQMk%3D%3D/messages/delta()?%24skiptoken=a%2Bb%3D&%24select=id";
        string[] prefer = ["odata.maxpagesize=50", "IdType=\"ImmutableId\""];
        var built = graph.Users["me@corp.example"].MailFolders["x"].Messages.Delta.WithUrl(link).ToGetRequestInformation(rc =>
        {
            foreach (var value in prefer) rc.Headers.Add("Prefer", value);
        });
        var direct = GraphPageReader.PageRequest(link, prefer, () => throw new InvalidOperationException("a link needs no builder"));
        Assert.Equal(built.HttpMethod, direct.HttpMethod);
        Assert.Equal(built.URI.OriginalString, direct.URI.OriginalString);
        Assert.Equal(link, direct.URI.OriginalString);
        static IEnumerable<string> Lines(Microsoft.Kiota.Abstractions.RequestHeaders headers) => // (Kiota's headers cannot CopyTo: enumerate them)
            headers.Select(h => $"{h.Key}: {string.Join("|", h.Value.Order())}").Order();
        Assert.Equal(Lines(built.Headers), Lines(direct.Headers));
        Assert.Contains("Accept: application/json", Lines(direct.Headers));

        // The first page comes from the builder, with the same Prefer headers.
        var first = GraphPageReader.PageRequest(null, prefer, () => graph.Users["me@corp.example"].MailFolders["x"].Messages.Delta.ToGetRequestInformation());
        Assert.Contains("Prefer: IdType=\"ImmutableId\"|odata.maxpagesize=50", Lines(first.Headers));
        Assert.EndsWith("/mailFolders/x/messages/delta()", first.URI.AbsolutePath);
    }

    [Fact]
    public void Null_entries_in_recipient_and_attendee_lists_are_skipped()
    {
        var message = Incoming();
        message.ToRecipients = [null!, R("me@corp.example"), new GraphRecipient()];
        var m = Mapper.Map(message)!;
        Assert.Equal(RecipientRole.To, m.OwnerRole);
        Assert.Equal(2, m.RecipientCount); // me and carol
        var meeting = Mapper.Map(new GraphEvent
        {
            Id = "evt-null", Organizer = R("boss@other.example"), Attendees = [null!, new() { EmailAddress = new() { Address = "ann@other.example" } }],
            Start = new GraphDateTimeZone { DateTime = "2025-05-01T09:00:00", TimeZone = "UTC" },
            End = new GraphDateTimeZone { DateTime = "2025-05-01T10:00:00", TimeZone = "UTC" },
        })!;
        Assert.Equal(["ann@other.example"], meeting.Attendees.Select(a => a.Address));
    }

    [Fact]
    public void Event_maps_rooms_responses_recurrence_and_utc()
    {
        var e = new GraphEvent
        {
            Id = "evt1",
            Organizer = R("boss@other.example", "Boss"),
            Attendees =
            [
                new() { EmailAddress = new() { Address = "boss@other.example" }, Type = "required" },
                new() { EmailAddress = new() { Address = "me@corp.example" }, Type = "required", Status = new() { Response = "accepted" } },
                new() { EmailAddress = new() { Address = "room@corp.example", Name = "Room" }, Type = "resource", Status = new() { Response = "accepted" } },
                new() { EmailAddress = new() { Address = "opt@other.example" }, Type = "optional", Status = new() { Response = "declined" } },
            ],
            Start = new GraphDateTimeZone { DateTime = "2025-05-01T09:00:00.0000000", TimeZone = "UTC" },
            End = new GraphDateTimeZone { DateTime = "2025-05-01T10:30:00.0000000", TimeZone = "UTC" },
            Type = "occurrence",
            IsCancelled = true,
            ResponseStatus = new GraphResponseStatus { Response = "tentativelyAccepted" },
        };
        var m = Mapper.Map(e)!;
        Assert.Equal("boss@other.example", m.Organizer);
        Assert.Equal(3, m.Attendees.Count);
        Assert.Equal(AttendeeKind.Resource, m.Attendees.Single(a => a.Address == "room@corp.example").Kind);
        Assert.Equal(AttendeeResponse.Declined, m.Attendees.Single(a => a.Address == "opt@other.example").Response);
        Assert.True(m.IsRecurring);
        Assert.True(m.IsCancelled);
        Assert.Equal(AttendeeResponse.TentativelyAccepted, m.OwnerResponse);
        Assert.Equal(1.5, m.Hours);

        e.Type = "seriesMaster"; // calendarView lists occurrences; a master would double count them
        Assert.Null(Mapper.Map(e));
    }
}

public sealed class GraphRegistrationTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddStageModel();
        builder.AddStorage();
        builder.AddGraphScanning();
        return builder.Build();
    }

    [Fact]
    public async Task Graph_scanner_is_registered_and_a_loopback_url_needs_no_credentials()
    {
        var db = Path.Combine(Path.GetTempPath(), "mr-graph-di-" + Guid.NewGuid().ToString("N") + ".db");
        using var host = Build(new() { ["Graph:BaseUrl"] = "http://127.0.0.1:9/v1.0", ["Store:Path"] = db });
        await host.StartAsync();
        Assert.IsType<GraphMailboxScanner>(host.Services.GetRequiredService<IMailboxScanner>());
        await host.StopAsync();
    }

    [Fact]
    public async Task Missing_credentials_for_the_cloud_stop_the_host_at_start()
    {
        using var host = Build(new() { ["Graph:BaseUrl"] = "https://graph.microsoft.com/v1.0", ["Graph:TenantId"] = "t" });
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Graph:ClientId", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Delta pages held together until a commit mean what the pages would mean committed one by one.</summary>
public sealed class HeldPagesTests
{
    // Pages as "upserts/removals" ("a b/c" upserts a and b, removes c), then the ids stored after them; "z" is stored before.
    [Theory]
    [InlineData("a b/", "c/", "a b c z")]
    [InlineData("a b/", "/a", "b z")]      // upserted, then removed on a later page: gone
    [InlineData("/a", "a/", "a z")]        // removed, then upserted again: present
    [InlineData("a/", "/a", "a/", "a z")]  // upserted, removed, upserted
    [InlineData("a/", "a/", "a z")]        // listed twice: once
    [InlineData("/z", "/", "")]
    [InlineData("/z", "z/", "z")]
    [InlineData("a/", "/a z", "")]
    public void Appended_pages_apply_as_the_pages_did(params string[] pages)
    {
        var oneByOne = new HashSet<string> { "z" };
        GraphPageChanges<string>? held = null;
        foreach (var page in pages[..^1].Select(Page))
        {
            Apply(oneByOne, page);
            held = held is null ? page : GraphDeltaRound.Append(held, page);
        }
        var together = new HashSet<string> { "z" };
        Apply(together, held!);
        Assert.Equal(pages[^1], string.Join(' ', oneByOne.Order()));
        Assert.Equal(pages[^1], string.Join(' ', together.Order()));
    }

    private static GraphPageChanges<string> Page(string text)
    {
        var parts = text.Split('/');
        return new GraphPageChanges<string>(
            parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(id => (id, (string?)id)).ToList(),
            parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    // As GraphSyncStore.CommitPageAsync applies a page: removals first, then upserts.
    private static void Apply(HashSet<string> ids, GraphPageChanges<string> page)
    {
        foreach (var id in page.RemovedIds) ids.Remove(id);
        foreach (var (id, _) in page.Upserts) ids.Add(id);
    }
}

/// <summary>A page parsed in the throttling handler: broken JSON is retried, JSON of another shape is the caller's error.</summary>
public sealed class ParsedJsonBodyTests
{
    [Theory]
    [InlineData("""{"value":[{"id":"a"}],"@odata.nextLink":"n"}""", "ok")]
    [InlineData("""{"value":[{"id":"a"}],"@odata.next""", "malformed")]   // cut short
    [InlineData("""{"value":[{"id":"a"}]}}""", "malformed")]               // trailing garbage
    [InlineData("""<html>busy</html>""", "malformed")]
    [InlineData("""{"value":"not a list"}""", "shape")]
    [InlineData("""{"value":[{"id":42}]}""", "shape")]
    public void Broken_json_is_unreadable_and_another_shape_is_handed_back(string json, string expected)
    {
        var body = new ParsedJsonBody(bytes => System.Text.Json.JsonSerializer.Deserialize(bytes, GraphPageJson.Default.GraphDeltaPageGraphFolder));
        var unreadable = body.Parse(System.Text.Encoding.UTF8.GetBytes(json));
        var outcome = unreadable is not null ? "malformed" : body.ShapeError is not null ? "shape" : "ok";
        Assert.Equal(expected, outcome);
        if (outcome == "ok") Assert.Equal("a", Assert.Single(((GraphDeltaPage<GraphFolder>)body.Value!).Value!).Id);
        else Assert.Null(body.Value);
    }
}
