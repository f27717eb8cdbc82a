using System.Net;
using System.Text;
using MailRapport.Core;
using MailRapport.FakeGraph;
using MailRapport.Server.Notifications;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MailRapport.Server.Tests.Notifications;

/// <summary>Graph change notifications end to end: the fake Graph server subscribes, validates and notifies the in-process service.</summary>
public sealed class NotificationTests
{
    private static MessageInteraction Message(string from) => new()
    {
        Key = "<" + Guid.NewGuid().ToString("n") + "@example.com>",
        Timestamp = DateTimeOffset.UtcNow.AddMinutes(-1),
        Direction = Direction.Incoming,
        From = from,
        Counterparts = [new Counterpart(from, null, RecipientRole.To)],
        RecipientCount = 1,
    };

    private static string Inbox(NotificationHarness h) => h.FakeMailbox.Folder("inbox").Id;

    /// <summary>The lifecycle and renewal tests run on both stores (PostgreSQL: its own database and Hangfire storage).</summary>
    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    [Fact]
    public async Task The_validation_handshake_echoes_the_token_as_plain_text()
    {
        await using var h = await NotificationHarness.StartAsync();
        var client = h.Service.CreateClient();
        var token = "Validation: Testing client application reachability <b>&</b> 42";
        using var response = await client.PostAsync($"/graph/notifications?validationToken={Uri.EscapeDataString(token)}", new StringContent("", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(token, await response.Content.ReadAsStringAsync());
        using var lifecycle = await client.PostAsync("/graph/notifications/lifecycle?validationToken=abc", null);
        Assert.Equal("abc", await lifecycle.Content.ReadAsStringAsync());

        // Graph's own handshake, for both URLs, before it creates a subscription.
        await h.SubscribeAsync();
        Assert.Equal(2, h.Graph.Subscriptions.Count);
        var stored = await h.Store.ListAsync(NotificationHarness.Mailbox);
        Assert.Equal(["events", "messages"], stored.Select(s => s.Resource));
        Assert.All(stored, s => Assert.Contains(h.Graph.Subscriptions, g => g.Id == s.SubscriptionId && g.Resource == $"users/{NotificationHarness.Mailbox}/{s.Resource}"));
        // The secret is stored only as its hash.
        Assert.All(stored, s => Assert.Equal(ClientState.Hash(h.Graph.Subscriptions.Single(g => g.Id == s.SubscriptionId).ClientState), s.ClientStateHash));
        Assert.DoesNotContain(stored, s => h.Graph.Subscriptions.Any(g => g.ClientState == s.ClientStateHash));
    }

    [Fact]
    public async Task A_wrong_client_state_or_an_unknown_subscription_is_counted_and_schedules_nothing()
    {
        await using var h = await NotificationHarness.StartAsync();
        await h.SubscribeAsync();
        var messages = h.GraphSubscription("messages");

        Assert.Equal(202, await h.Graph.PostToNotificationUrlAsync(messages.NotificationUrl, h.Graph.ChangeNotificationBody(messages, "AAMkX=", "created", clientState: "forged")));
        Assert.Equal(202, await h.Graph.PostToNotificationUrlAsync(messages.NotificationUrl,
            h.Graph.ChangeNotificationBody(messages with { Id = "not-a-subscription-of-ours" }, "AAMkX=", "created")));
        Assert.Equal((1L, 1L, 0L, 0L), (h.Counts.Refused, h.Counts.Unknown, h.Counts.Accepted, h.Counts.ScansQueued));
        Assert.False((await h.Registry.GetAsync(NotificationHarness.Mailbox))!.ScanQueued);
        var stats = h.Service.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().GetStatistics();
        Assert.Equal((0L, 0L), (stats.Enqueued, stats.Scheduled));
        Assert.Equal(0, h.Service.Scanner.CountFor(NotificationHarness.Mailbox));
    }

    [Theory]
    [InlineData("{not json", HttpStatusCode.BadRequest)]
    [InlineData("[1,2]", HttpStatusCode.BadRequest)]
    [InlineData("{\"value\": 3}", HttpStatusCode.BadRequest)]
    [InlineData("{\"value\": [\"x\"]}", HttpStatusCode.BadRequest)]
    [InlineData("{\"value\": []}", HttpStatusCode.Accepted)]
    public async Task A_body_that_is_not_a_notification_collection_gets_a_problem(string body, HttpStatusCode expected)
    {
        await using var h = await NotificationHarness.StartAsync();
        using var response = await h.Service.CreateClient().PostAsync("/graph/notifications", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(1, h.Counts.Malformed);
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_without_reading_it_all()
    {
        await using var h = await NotificationHarness.StartAsync(configure: f => f.Settings["Graph:Notifications:MaxBodyBytes"] = "4096");
        var big = "{\"value\":[" + string.Join(",", Enumerable.Repeat("{\"subscriptionId\":\"x\",\"clientState\":\"y\"}", 200)) + "]}";
        using var response = await h.Service.CreateClient().PostAsync("/graph/notifications", new StringContent(big, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Several_notifications_within_the_window_make_one_scan()
    {
        await using var h = await NotificationHarness.StartAsync(debounceSeconds: 5);
        await h.SubscribeAsync();
        for (int i = 0; i < 6; i++) h.FakeMailbox.AddMessage(Inbox(h), Message($"sender{i}@example.com"));
        h.FakeMailbox.PutEvent(new MeetingInteraction
        {
            Key = "evt-1", Start = DateTimeOffset.UtcNow.AddDays(1), End = DateTimeOffset.UtcNow.AddDays(1).AddHours(1),
            Organizer = "bob@example.com", Attendees = [], OwnerResponse = AttendeeResponse.Accepted,
        });
        await h.Graph.WhenDeliveredAsync();
        Assert.All(h.Graph.Deliveries, d => Assert.Equal(202, d.Status));
        Assert.Equal((7L, 1L), (h.Counts.Accepted, h.Counts.ScansQueued));

        await h.Service.Scanner.WaitForAsync(() => h.Service.Scanner.CountFor(NotificationHarness.Mailbox) == 1);
        await h.Service.WaitForJobsIdleAsync();
        Assert.Equal(1, h.Service.Scanner.CountFor(NotificationHarness.Mailbox));
    }

    [Fact]
    public async Task Notifications_during_a_scan_make_exactly_one_more()
    {
        await using var h = await NotificationHarness.StartAsync(debounceSeconds: 1);
        await h.SubscribeAsync();
        h.Service.Scanner.Hold();
        h.FakeMailbox.AddMessage(Inbox(h), Message("first@example.com"));
        await h.Service.Scanner.WaitForAsync(() => h.Service.Scanner.CountFor(NotificationHarness.Mailbox) == 1); // running, held

        for (int i = 0; i < 4; i++) h.FakeMailbox.AddMessage(Inbox(h), Message($"later{i}@example.com"));
        await h.Graph.WhenDeliveredAsync();
        Assert.Equal((5L, 2L), (h.Counts.Accepted, h.Counts.ScansQueued));
        Assert.True((await h.Registry.GetAsync(NotificationHarness.Mailbox))!.ScanQueued);

        h.Service.Scanner.Release();
        await h.Service.Scanner.WaitForAsync(() => h.Service.Scanner.CountFor(NotificationHarness.Mailbox) == 2);
        await h.Service.WaitForJobsIdleAsync();
        await h.Service.Scanner.WaitForAsync(() => h.Registry.GetAsync(NotificationHarness.Mailbox).Result is { ScanRunning: false, ScanQueued: false });
        Assert.Equal(2, h.Service.Scanner.CountFor(NotificationHarness.Mailbox));
        Assert.Equal(1, h.Service.Scanner.MaxOverlap);
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Reauthorization_required_reauthorizes_the_subscription(StoreProvider provider)
    {
        await using var h = await NotificationHarness.StartAsync(provider: provider);
        await h.SubscribeAsync();
        var messages = h.GraphSubscription("messages");
        Assert.Equal(202, await h.Graph.SendLifecycleAsync(messages.Id, LifecycleEvents.ReauthorizationRequired));
        await h.Service.Scanner.WaitForAsync(() => h.Graph.Requests.Any(r => r.Path == $"/v1.0/subscriptions/{messages.Id}/reauthorize" && r.Status == 204));
        await h.Service.WaitForJobsIdleAsync();
        Assert.Equal(1, h.Counts.Lifecycle);
        Assert.Equal(messages.Id, (await h.Store.ListAsync(NotificationHarness.Mailbox)).Single(s => s.Resource == "messages").SubscriptionId);
        Assert.Equal(0, h.Service.Scanner.CountFor(NotificationHarness.Mailbox));
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_removed_subscription_is_recreated_and_the_gap_is_scanned(StoreProvider provider)
    {
        await using var h = await NotificationHarness.StartAsync(debounceSeconds: 1, provider: provider);
        await h.SubscribeAsync();
        var removed = h.GraphSubscription("events");
        Assert.Equal(202, await h.Graph.RemoveSubscriptionAsync(removed.Id));
        await h.Service.Scanner.WaitForAsync(() => h.Graph.Subscriptions.Count(s => s.Kind == "events") == 1);
        var recreated = h.GraphSubscription("events");
        Assert.NotEqual(removed.Id, recreated.Id);
        await h.Service.Scanner.WaitForAsync(() => h.Service.Scanner.CountFor(NotificationHarness.Mailbox) == 1); // what Graph did not tell in between
        await h.Service.WaitForJobsIdleAsync();
        Assert.Equal(recreated.Id, (await h.Store.ListAsync(NotificationHarness.Mailbox)).Single(s => s.Resource == "events").SubscriptionId);
        Assert.NotEqual(removed.ClientState, recreated.ClientState); // a new secret

        // The old subscription's notifications are now unknown.
        await h.Graph.PostToNotificationUrlAsync(removed.NotificationUrl, h.Graph.ChangeNotificationBody(removed, "evt", "updated"));
        Assert.Equal(1, h.Counts.Unknown);
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Missed_notifications_scan_the_mailbox_now(StoreProvider provider)
    {
        await using var h = await NotificationHarness.StartAsync(provider: provider);
        await h.SubscribeAsync();
        Assert.Equal(202, await h.Graph.SendLifecycleAsync(h.GraphSubscription("messages").Id, LifecycleEvents.Missed));
        await h.Service.Scanner.WaitForAsync(() => h.Service.Scanner.CountFor(NotificationHarness.Mailbox) == 1);
        await h.Service.WaitForJobsIdleAsync();
        Assert.Equal(1, h.Service.Scanner.CountFor(NotificationHarness.Mailbox));
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Subscriptions_are_renewed_before_the_expiry_Graph_returned(StoreProvider provider)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        await using var h = await NotificationHarness.StartAsync(clock, provider: provider);
        await h.SubscribeAsync();
        var first = await h.Store.ListAsync(NotificationHarness.Mailbox);
        Assert.All(first, s => Assert.Equal(clock.GetUtcNow().AddMinutes(10_000), s.ExpiresAt));
        Assert.All(h.Graph.Subscriptions, s => Assert.True(s.ExpirationDateTime <= clock.GetUtcNow() + FakeGraphServer.MaxSubscriptionLifetime));

        // Not yet within the day before expiry: nothing to renew.
        clock.Advance(TimeSpan.FromMinutes(10_000 - 24 * 60 - 1));
        Assert.Equal((0, 0, 0), await h.Subscriptions.RenewDueAsync());
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal((2, 0, 0), await h.Subscriptions.RenewDueAsync());
        var renewed = await h.Store.ListAsync(NotificationHarness.Mailbox);
        Assert.Equal(first.Select(s => s.SubscriptionId), renewed.Select(s => s.SubscriptionId));
        Assert.All(renewed, s => Assert.Equal(clock.GetUtcNow().AddMinutes(10_000), s.ExpiresAt));
        Assert.All(h.Graph.Subscriptions, s => Assert.Equal(clock.GetUtcNow().AddMinutes(10_000), s.ExpirationDateTime));
        Assert.Equal(2, h.Graph.Requests.Count(r => r.Path.StartsWith("/v1.0/subscriptions/", StringComparison.Ordinal) && r.Status == 200));
        Assert.Equal((0, 0, 0), await h.Subscriptions.RenewDueAsync()); // renewed once, not again

        // One that expired at Graph while no host ran is made anew.
        var gone = h.GraphSubscription("messages");
        Assert.True(h.Graph.ExpireSubscription(gone.Id));
        clock.Advance(TimeSpan.FromMinutes(10_000 - 60));
        Assert.Equal((1, 1, 0), await h.Subscriptions.RenewDueAsync());
        Assert.NotEqual(gone.Id, h.GraphSubscription("messages").Id);
    }

    [Fact]
    public async Task Enrolment_subscribes_the_mailbox_and_erasure_deletes_its_subscriptions_at_Graph()
    {
        await using var h = await NotificationHarness.StartAsync();
        var alice = h.Service.ClientFor(TestTokens.Alice);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/me")).StatusCode);
        await h.Service.Scanner.WaitForAsync(() => h.Store.ListAsync(TestTokens.Alice.MailboxId).Result.Count(s => s.SubscriptionId is not null) == 2);
        Assert.Equal([$"users/{TestTokens.Alice.ObjectId}/events", $"users/{TestTokens.Alice.ObjectId}/messages"],
            h.Graph.Subscriptions.Select(s => s.Resource).Order());

        // A new message reaches the service and scans her mailbox (by object id, as enrolled).
        await h.Service.WaitForJobsIdleAsync();
        int before = h.Service.Scanner.CountFor(TestTokens.Alice.MailboxId);
        h.FakeMailbox.AddMessage(Inbox(h), Message("bob@example.com"));
        await h.Service.Scanner.WaitForAsync(() => h.Service.Scanner.CountFor(TestTokens.Alice.MailboxId) == before + 1);

        await h.Service.WaitForJobsIdleAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync("/api/me/data")).StatusCode);
        Assert.Empty(await h.Store.ListAsync(TestTokens.Alice.MailboxId));
        Assert.Equal(2, (await h.Store.ListRemovalsAsync(10)).Count);
        Assert.Equal(2, await h.Subscriptions.DrainRemovalsAsync());
        Assert.Empty(h.Graph.Subscriptions);
        Assert.Empty(await h.Store.ListRemovalsAsync(10));
    }

    [Fact]
    public async Task A_new_host_over_the_same_database_renews_what_another_created_even_one_a_dead_host_had_claimed()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var dir = Directory.CreateTempSubdirectory("mailrapport-notify-");
        var db = Path.Combine(dir.FullName, "shared.db");
        await using var graph = await FakeGraphServer.StartAsync(new FakeMailbox(NotificationHarness.Mailbox, "Alice"));
        try
        {
            List<string?> ids;
            await using (var first = await NotificationHarness.StartAsync(clock, storePath: db, graph: graph))
            {
                await first.SubscribeAsync();
                ids = (await first.Store.ListAsync()).Select(s => s.SubscriptionId).ToList();
                // A day before expiry the first host claims one for renewal, and dies before it renews.
                clock.Advance(TimeSpan.FromMinutes(10_000 - 60));
                Assert.Single(await first.Store.ClaimDueAsync(clock.GetUtcNow().AddDays(1), "dead-host", clock.GetUtcNow().AddMinutes(2), 1));
            }

            // The next host's start-up run renews the other one; the claimed one waits for the claim to lapse.
            await using var second = await NotificationHarness.StartAsync(clock, storePath: db, graph: graph);
            var afterStart = await second.Store.ListAsync();
            Assert.Equal(1, afterStart.Count(s => s.ExpiresAt == clock.GetUtcNow().AddMinutes(10_000)));
            Assert.Equal((0, 0, 0), await second.Subscriptions.RenewDueAsync());
            clock.Advance(TimeSpan.FromMinutes(3));
            Assert.Equal((1, 0, 0), await second.Subscriptions.RenewDueAsync());

            var renewed = await second.Store.ListAsync();
            Assert.Equal(ids, renewed.Select(s => s.SubscriptionId)); // the same subscriptions, renewed, none created anew
            Assert.All(renewed, s => Assert.True(s.ExpiresAt > clock.GetUtcNow().AddDays(6)));
            Assert.Equal(2, graph.Requests.Count(r => r.Path == "/v1.0/subscriptions" && r.Status == 201));
            Assert.Equal(2, graph.Subscriptions.Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
