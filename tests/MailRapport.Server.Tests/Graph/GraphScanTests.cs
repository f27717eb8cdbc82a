using MailRapport.Core;
using MailRapport.FakeGraph;
using MailRapport.Server.Graph;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Graph;

public sealed class GraphScanTests
{
    private const string Owner = SyntheticMailbox.Owner;

    private static FakeMailbox NewMailbox(int messages = 150, int meetings = 40, int seed = 7)
    {
        var (m, e) = SyntheticMailbox.Generate(messages, meetings, GraphScanHarness.Now, seed);
        return SyntheticMailbox.Build(Owner, m, e, seed);
    }

    private static async Task AssertMatchesDirectLoadAsync(GraphScanHarness harness, FakeMailbox box)
    {
        var scanned = await harness.SnapshotAsync(Owner);
        var direct = await harness.DirectLoadAsync(box);
        Assert.NotEmpty(direct.Messages);
        LineAssert.Same(direct.Messages, scanned.Messages);
        LineAssert.Same(direct.Meetings, scanned.Meetings);
        Assert.Equal(direct.Profiles, await harness.ProfilesJsonAsync(Owner));
    }

    [Fact]
    public async Task FullScan_stores_exactly_what_loading_the_mailbox_directly_stores()
    {
        var box = NewMailbox();
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server);

        var result = await harness.ScanAsync(Owner);

        await AssertMatchesDirectLoadAsync(harness, box);
        Assert.Equal(box.ExpectedMessages(harness.Options.ExcludedWellKnownFolders).Count, (await harness.SnapshotAsync(Owner)).Messages.Count);
        Assert.True(result.MessagesUpserted >= box.ExpectedMessages(harness.Options.ExcludedWellKnownFolders).Count);
        Assert.True(result.MeetingsUpserted > 0);
        Assert.Equal(0, result.ItemsSkipped);
        Assert.Equal(server.RequestCount, result.Requests);
        // Nothing from Deleted Items (and its subfolders), Junk, Drafts or Conversation History.
        Assert.DoesNotContain((await harness.SnapshotAsync(Owner)).Messages, m => m.Contains("junk.example", StringComparison.Ordinal));

        var deltas = server.Requests.Where(r => r.Path.EndsWith("/messages/delta()", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(deltas);
        Assert.All(deltas, r =>
        {
            Assert.Contains("$select=", Uri.UnescapeDataString(r.Query), StringComparison.Ordinal);
            Assert.Contains("internetMessageId", r.Query, StringComparison.Ordinal);
            Assert.DoesNotContain("body", r.Query, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("odata.maxpagesize=7", r.Prefer, StringComparison.Ordinal);
            Assert.Contains("IdType=\"ImmutableId\"", r.Prefer, StringComparison.Ordinal);
        });
        var calendar = Assert.Single(server.Requests, r => r.Path.EndsWith("/calendarView/delta()", StringComparison.Ordinal));
        Assert.Contains("startDateTime=", calendar.Query, StringComparison.Ordinal);
        Assert.Contains("outlook.timezone=\"UTC\"", calendar.Prefer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mailbox_enrolled_by_object_id_is_read_as_that_user_with_the_owner_addresses_from_the_directory()
    {
        const string objectId = "0a11ce00-0000-0000-0000-000000000042";
        var box = NewMailbox(messages: 40, meetings: 10);
        await using var server = await FakeGraphServer.StartAsync(box);
        server.AddUser(objectId, "owner.upn@contoso.example", mail: Owner);
        await using var harness = await GraphScanHarness.CreateAsync(server);

        var result = await harness.ScanAsync(objectId);

        var stored = await harness.Store.Interactions().GetMailboxAsync(objectId);
        Assert.Equal(Owner, stored!.OwnerAddresses[0]); // mail first, then the user principal name
        Assert.Contains("owner.upn@contoso.example", stored.OwnerAddresses);
        Assert.Equal(box.ExpectedMessages(harness.Options.ExcludedWellKnownFolders).Count, (await harness.SnapshotAsync(objectId)).Messages.Count);
        Assert.True(result.MeetingsUpserted > 0);
        Assert.Contains(server.Requests, r => r.Path == $"/v1.0/users/{objectId}");
        // Every request the scanner builds names the user by object id (the fake's paging links use the address).
        Assert.All(server.Requests.Where(r => !r.Query.Contains("token=", StringComparison.Ordinal)),
            r => Assert.StartsWith($"/v1.0/users/{objectId}", r.Path));
    }

    [Fact]
    public async Task Unchanged_rescan_costs_one_request_per_folder_plus_the_folder_tree_and_the_calendar()
    {
        var box = NewMailbox();
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server);
        await harness.ScanAsync(Owner);
        server.ResetRequestLog();

        var result = await harness.ScanAsync(Owner);

        int correspondenceFolders = 5; // Inbox, Projects, Clients 2025, Sent Items, Archive
        // One delta link per folder read, plus the folder tree (mailFolders/delta) and the calendar: nothing else.
        Assert.Equal(correspondenceFolders + 2, server.RequestCount);
        Assert.Equal(correspondenceFolders + 2, result.Requests);
        Assert.All(server.Requests, r => Assert.Contains("$deltatoken=", Uri.UnescapeDataString(r.Query), StringComparison.Ordinal));
        Assert.Single(server.Requests, r => r.Path.Contains("/mailFolders/delta", StringComparison.Ordinal));
        Assert.Equal(0, result.MessagesUpserted);
        Assert.Equal(0, result.MessagesRemoved);
        await AssertMatchesDirectLoadAsync(harness, box);
    }

    [Fact]
    public async Task Incremental_scan_after_adds_moves_and_deletes_equals_a_full_rescan()
    {
        var box = NewMailbox();
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var incremental = await GraphScanHarness.CreateAsync(server);
        await incremental.ScanAsync(Owner);

        var inbox = box.Folder("inbox");
        var archive = box.Folder("archive");
        var deleted = box.Folder("deleteditems");
        var inInbox = box.Messages.Where(m => m.FolderId == inbox.Id).Take(12).ToList();
        box.MoveMessage(inInbox[0].Id, archive.Id);
        box.MoveMessage(inInbox[1].Id, archive.Id);
        box.MoveMessage(inInbox[2].Id, deleted.Id);        // moved to Deleted Items: gone
        box.DeleteMessage(inInbox[3].Id);                  // hard delete
        box.DeleteMessage(inInbox[4].Id);
        // A message filed twice: removing one copy keeps it.
        var twice = box.Messages.GroupBy(m => m.Message.Key).First(g => g.Count() == 2).ToList();
        box.DeleteMessage(twice[0].Id);
        var (fresh, _) = SyntheticMailbox.Generate(20, 0, GraphScanHarness.Now, seed: 99);
        foreach (var m in fresh) box.AddMessage(m.Direction == Direction.Outgoing ? box.Folder("sentitems").Id : inbox.Id, m);
        var newFolder = box.AddFolder("New project", inbox.Id);
        box.AddMessage(newFolder.Id, fresh[0] with { Key = "brand-new@mail.example" });
        var projects = box.Folders.Single(f => f.DisplayName == "Clients 2025");
        box.DeleteFolder(projects.Id);                     // a whole folder goes
        var events = box.Events.ToList();
        box.DeleteEvent(events[0].Key);
        box.PutEvent(events[1] with { IsCancelled = true });
        box.PutEvent(events[2] with { Key = "AAMkEvtNew=", Start = GraphScanHarness.Now.AddDays(3), End = GraphScanHarness.Now.AddDays(3).AddHours(1) });
        box.PutEvent(events[3] with { Start = GraphScanHarness.Now.AddYears(-10), End = GraphScanHarness.Now.AddYears(-10).AddHours(1) }); // out of window

        server.ResetRequestLog();
        var result = await incremental.ScanAsync(Owner);
        Assert.True(result.MessagesRemoved >= 3);
        Assert.True(result.MeetingsRemoved >= 2);

        await using var full = await GraphScanHarness.CreateAsync(server);
        await full.ScanAsync(Owner);

        var a = await incremental.SnapshotAsync(Owner);
        var b = await full.SnapshotAsync(Owner);
        LineAssert.Same(b.Messages, a.Messages);
        LineAssert.Same(b.Meetings, a.Meetings);
        Assert.Contains(a.Messages, m => m.StartsWith(twice[0].Message.Key + " ", StringComparison.Ordinal));
        Assert.DoesNotContain(a.Messages, m => m.StartsWith(inInbox[2].Message.Key + " ", StringComparison.Ordinal));
        Assert.DoesNotContain(a.Meetings, m => m.StartsWith(events[3].Key + " ", StringComparison.Ordinal));
        await AssertMatchesDirectLoadAsync(incremental, box);
    }

    [PostgresFact]
    public async Task Full_and_incremental_scans_work_the_same_on_postgres()
    {
        var box = NewMailbox(messages: 80, meetings: 10);
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server, provider: MailRapport.Server.Storage.StoreProvider.Postgres);
        await harness.ScanAsync(Owner);
        var inbox = box.Folder("inbox");
        var first = box.Messages.First(m => m.FolderId == inbox.Id);
        box.MoveMessage(first.Id, box.Folder("deleteditems").Id);
        var twice = box.Messages.GroupBy(m => m.Message.Key).First(g => g.Count() == 2).ToList();
        box.DeleteMessage(twice[0].Id);
        box.DeleteEvent(box.Events.First().Key);
        server.EnqueueFault(new Fault(FaultKind.ExpiredToken, PathContains: "calendarView"));

        await harness.ScanAsync(Owner);

        await AssertMatchesDirectLoadAsync(harness, box);
        Assert.DoesNotContain((await harness.SnapshotAsync(Owner)).Messages, m => m.StartsWith(first.Message.Key + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(FaultKind.Throttle)]
    [InlineData(FaultKind.Unavailable)]
    [InlineData(FaultKind.GatewayTimeout)]
    [InlineData(FaultKind.DropConnection)]
    [InlineData(FaultKind.TruncatedJson)]
    public async Task Every_transient_fault_ends_with_the_same_data(FaultKind kind)
    {
        var box = NewMailbox(messages: 120, meetings: 20);
        await using var server = await FakeGraphServer.StartAsync(box);
        server.SetRandomFaults(0.25, seed: (int)kind, kind);
        await using var harness = await GraphScanHarness.CreateAsync(server, o => o.MaxRetries = 12);

        await harness.ScanAsync(Owner);
        // Changes, then an incremental run under the same faults.
        var inbox = box.Folder("inbox");
        box.DeleteMessage(box.Messages.First(m => m.FolderId == inbox.Id).Id);
        box.AddMessage(inbox.Id, SyntheticMailbox.Message("late@mail.example", GraphScanHarness.Now.AddDays(-1), "late@corp1.example", Owner, Direction.Incoming));
        await harness.ScanAsync(Owner);

        server.ClearFaults();
        await AssertMatchesDirectLoadAsync(harness, box);
        Assert.True(harness.Factory.Counter.Retries > 0, "the fault was never injected");
        if (kind is FaultKind.Throttle or FaultKind.Unavailable)
            Assert.Contains(harness.Delays, d => d >= TimeSpan.FromSeconds(1) && d.TotalSeconds == Math.Round(d.TotalSeconds));
    }

    [Fact]
    public async Task Expired_delta_state_restarts_only_that_folder()
    {
        var box = NewMailbox();
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server);
        await harness.ScanAsync(Owner);

        var inbox = box.Folder("inbox");
        box.DeleteMessage(box.Messages.First(m => m.FolderId == inbox.Id).Id);
        box.AddMessage(inbox.Id, SyntheticMailbox.Message("after410@mail.example", GraphScanHarness.Now.AddDays(-2), "x@corp2.example", Owner, Direction.Incoming));
        server.ResetRequestLog();
        server.EnqueueFault(new Fault(FaultKind.ExpiredToken, PathContains: inbox.Id));
        await harness.ScanAsync(Owner);

        var initialDeltas = server.Requests.Where(r => r.Path.EndsWith("/messages/delta()", StringComparison.Ordinal)).ToList();
        var restarted = Assert.Single(initialDeltas);
        Assert.Contains(inbox.Id, restarted.Path, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.Status == 410);
        await AssertMatchesDirectLoadAsync(harness, box);
    }

    [Fact]
    public async Task Expired_calendar_delta_state_restarts_the_calendar()
    {
        var box = NewMailbox();
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server);
        await harness.ScanAsync(Owner);
        var evt = box.Events.First();
        box.DeleteEvent(evt.Key);
        server.EnqueueFault(new Fault(FaultKind.ExpiredToken, PathContains: "calendarView"));

        await harness.ScanAsync(Owner);

        Assert.DoesNotContain((await harness.SnapshotAsync(Owner)).Meetings, m => m.StartsWith(evt.Key + " ", StringComparison.Ordinal));
        await AssertMatchesDirectLoadAsync(harness, box);
    }

    [Fact]
    public async Task Retry_after_above_the_sdk_cap_is_honoured_without_sleeping()
    {
        var box = NewMailbox(messages: 20, meetings: 2);
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server);
        server.EnqueueFault(new Fault(FaultKind.Throttle, TimeSpan.FromSeconds(300)));

        await harness.ScanAsync(Owner);

        Assert.Contains(TimeSpan.FromSeconds(300), harness.Delays);
        Assert.Equal(TimeSpan.FromSeconds(300), harness.Factory.Counter.LongestRetryAfter);
        await AssertMatchesDirectLoadAsync(harness, box);
    }

    [Fact]
    public async Task Retries_that_run_out_fail_clearly_and_lose_nothing()
    {
        var box = NewMailbox(messages: 60, meetings: 5);
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server, o => o.MaxRetries = 2);
        await harness.ScanAsync(Owner);
        var before = await harness.SnapshotAsync(Owner);

        var inbox = box.Folder("inbox");
        box.AddMessage(inbox.Id, SyntheticMailbox.Message("pending@mail.example", GraphScanHarness.Now.AddDays(-1), "p@corp3.example", Owner, Direction.Incoming));
        for (int i = 0; i < 3; i++) server.EnqueueFault(new Fault(FaultKind.Unavailable, PathContains: "/messages/delta"));
        var error = await Assert.ThrowsAsync<GraphRetriesExhaustedException>(() => harness.ScanAsync(Owner));
        Assert.Contains("failed 3 times", error.Message, StringComparison.Ordinal);
        Assert.Contains("503", error.Message, StringComparison.Ordinal);
        Assert.Equal(before.Messages, (await harness.SnapshotAsync(Owner)).Messages);

        await harness.ScanAsync(Owner);
        await AssertMatchesDirectLoadAsync(harness, box);
    }

    [Fact]
    public async Task A_scan_killed_at_many_points_and_resumed_equals_an_uninterrupted_scan()
    {
        var box = NewMailbox(messages: 90, meetings: 15);
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server);
        int kills = 0;
        for (int killAfter = 1; ; killAfter += 2)
        {
            harness.Transport.Reset(killAfter);
            try
            {
                await harness.Scanner.ScanAsync(Owner, null, harness.Transport.Cts.Token);
                break;
            }
            catch (OperationCanceledException)
            {
                kills++;
            }
            if (kills == 12)
            {
                // Changes between kills, as a real mailbox would have.
                var inbox = box.Folder("inbox");
                box.MoveMessage(box.Messages.First(m => m.FolderId == inbox.Id).Id, box.Folder("archive").Id);
                box.DeleteMessage(box.Messages.First(m => m.FolderId == inbox.Id).Id);
            }
            Assert.True(killAfter < 500, "scan never completed");
        }
        Assert.True(kills > 5);
        await AssertMatchesDirectLoadAsync(harness, box);
    }
}
