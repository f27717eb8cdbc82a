using System.Net;
using MailRapport.Core;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using MailRapport.Server.Tests.Support;

namespace MailRapport.Server.Tests.Notifications;

/// <summary>
/// A notification end to end on each store, with the service's own Graph scanner: enrolment subscribes the mailbox
/// (Graph's validation handshake to both URLs), a new message on the fake Graph server is notified, the notification
/// queues a debounced scan through the job queue (on PostgreSQL, Hangfire's PostgreSQL storage), and the sender's
/// profile is then served by /api/contacts/{address}.
/// </summary>
public sealed class NotificationEndToEndTests
{
    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_new_message_reaches_the_api_through_its_notification_and_one_debounced_scan(StoreProvider provider)
    {
        await using var h = await NotificationHarness.StartAsync(debounceSeconds: 1, provider: provider, realScanner: true);
        var alice = h.Service.ClientFor(TestTokens.Alice);
        var mailbox = TestTokens.Alice.MailboxId;
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/me")).StatusCode); // enrols: subscribes and queues the first scan
        await h.Service.Scanner.WaitForAsync(() => h.Store.ListAsync(mailbox).Result.Count(s => s.SubscriptionId is not null) == 2);
        Assert.Equal([$"users/{TestTokens.Alice.ObjectId}/events", $"users/{TestTokens.Alice.ObjectId}/messages"],
            h.Graph.Subscriptions.Select(s => s.Resource).Order()); // created only after both URLs answered the handshake
        await h.Service.Scanner.WaitForAsync(() => h.Registry.GetAsync(mailbox).Result is { ScanFinishedAt: not null, ScanRunning: false, ScanQueued: false });
        await h.Service.WaitForJobsIdleAsync();
        var firstScan = (await h.Registry.GetAsync(mailbox))!.ScanFinishedAt;

        const string sender = "new.partner@fabrikam.example";
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/contacts/{sender}")).StatusCode);
        int deliveries = h.Graph.Deliveries.Count;
        h.FakeMailbox.AddMessage(h.FakeMailbox.Folder("inbox").Id, new MessageInteraction
        {
            Key = "<" + Guid.NewGuid().ToString("n") + "@fabrikam.example>",
            Timestamp = DateTimeOffset.UtcNow.AddMinutes(-1),
            Direction = Direction.Incoming,
            From = sender,
            Counterparts = [new Counterpart(sender, "New Partner", RecipientRole.To)],
            RecipientCount = 1,
        });
        await h.Graph.WhenDeliveredAsync();
        var sent = h.Graph.Deliveries.Skip(deliveries).ToList();
        Assert.NotEmpty(sent);
        Assert.All(sent, d => Assert.Equal(202, d.Status));
        Assert.Equal((1L, 1L, 0L), (h.Counts.Accepted, h.Counts.ScansQueued, h.Counts.Refused));

        await h.Service.Scanner.WaitForAsync(() => alice.GetAsync($"/api/contacts/{sender}").Result.StatusCode == HttpStatusCode.OK);
        var contact = await alice.GetBodyAsync<ContactBody>($"/api/contacts/{sender}");
        Assert.Equal(sender, contact.Address);
        // The scan that served it is recorded as finished just after its profiles are stored.
        await h.Service.Scanner.WaitForAsync(() => h.Registry.GetAsync(mailbox).Result is { ScanRunning: false } s && s.ScanFinishedAt > firstScan);
        Assert.Null((await h.Registry.GetAsync(mailbox))!.ScanError);
    }
}
