using MailRapport.Core;
using MailRapport.FakeGraph;

namespace MailRapport.Server.Tests.Graph;

/// <summary>What a scan spends in requests, counted by the fake Graph server (issue 13, point 3).</summary>
public sealed class GraphScanRequestTests
{
    private const string Owner = SyntheticMailbox.Owner;

    private static FakeMailbox NewMailbox(int messages = 150, int meetings = 40, int seed = 7)
    {
        var (m, e) = SyntheticMailbox.Generate(messages, meetings, GraphScanHarness.Now, seed);
        return SyntheticMailbox.Build(Owner, m, e, seed);
    }

    private static int Pages(int items, int pageSize) => Math.Max(1, (items + pageSize - 1) / pageSize);

    [Fact]
    public async Task Full_scan_stays_within_one_request_per_page_and_folder_plus_a_small_constant()
    {
        var box = NewMailbox();
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server);

        await harness.ScanAsync(Owner);

        int pageSize = harness.Options.PageSize;
        var read = await harness.Scanner.StoredCorrespondenceFoldersAsync(Owner, default);
        var readIds = read.Select(f => f.Id).ToHashSet();
        int messagesServed = box.Messages.Count(m => readIds.Contains(m.FolderId));
        var (start, end) = harness.CalendarWindow();
        int constant = harness.Options.ExcludedWellKnownFolders.Length // looked up once per mailbox, then remembered
                       + Pages(box.Folders.Count, pageSize)             // the folder tree
                       + 1                                              // Sent Items: the owner's addresses
                       + Pages(box.ExpectedMeetings(start, end).Count, pageSize);
        int bound = (messagesServed + pageSize - 1) / pageSize + read.Count + constant;
        Assert.Equal(5, read.Count);
        Assert.InRange(server.RequestCount, 1, bound);
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("childFolders", StringComparison.OrdinalIgnoreCase));
        // The folder tree comes from mailFolders/delta with a minimal $select.
        var tree = Assert.Single(server.Requests, r => r.Path.EndsWith("/mailFolders/delta()", StringComparison.Ordinal) && !r.Query.Contains("token=", StringComparison.Ordinal));
        Assert.Contains("parentFolderId", Uri.UnescapeDataString(tree.Query), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Folders_added_renamed_moved_and_deleted_between_scans_are_followed_with_one_tree_request()
    {
        var box = NewMailbox();
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var incremental = await GraphScanHarness.CreateAsync(server);
        await incremental.ScanAsync(Owner);

        var inbox = box.Folder("inbox");
        var projects = box.Folders.Single(f => f.DisplayName == "Projects");
        var clients = box.Folders.Single(f => f.DisplayName == "Clients 2025");
        var archive = box.Folder("archive");
        var added = box.AddFolder("Suppliers", inbox.Id);
        var (fresh, _) = SyntheticMailbox.Generate(3, 0, GraphScanHarness.Now, seed: 41);
        foreach (var m in fresh) box.AddMessage(added.Id, m with { Key = "supplier-" + m.Key });
        box.RenameFolder(projects.Id, "Projects 2026");
        var inClients = box.Messages.First(m => m.FolderId == clients.Id && box.Messages.Count(x => x.Message.Key == m.Message.Key) == 1);
        box.MoveFolder(clients.Id, box.Folder("deleteditems").Id); // into Deleted Items: no longer read, its mail goes
        var inArchive = box.Messages.First(m => m.FolderId == archive.Id && box.Messages.Count(x => x.Message.Key == m.Message.Key) == 1);
        box.DeleteFolder(archive.Id);

        server.ResetRequestLog();
        var result = await incremental.ScanAsync(Owner);

        var read = await incremental.Scanner.StoredCorrespondenceFoldersAsync(Owner, default);
        Assert.Equal(["Inbox", "Inbox/Projects 2026", "Inbox/Suppliers", "Sent Items"], read.Select(f => f.Path));
        // One delta request per folder read (the new one has fewer messages than a page), the tree and the calendar.
        Assert.Equal(read.Count + 2, server.RequestCount);
        var tree = Assert.Single(server.Requests, r => r.Path.Contains("/mailFolders/delta", StringComparison.Ordinal));
        Assert.Contains("$deltatoken=", Uri.UnescapeDataString(tree.Query), StringComparison.Ordinal);
        Assert.True(result.MessagesRemoved >= 2);

        var scanned = await incremental.SnapshotAsync(Owner);
        Assert.Contains(scanned.Messages, m => m.StartsWith("supplier-", StringComparison.Ordinal));
        Assert.DoesNotContain(scanned.Messages, m => m.StartsWith(inClients.Message.Key + " ", StringComparison.Ordinal));
        Assert.DoesNotContain(scanned.Messages, m => m.StartsWith(inArchive.Message.Key + " ", StringComparison.Ordinal));
        await using var full = await GraphScanHarness.CreateAsync(server);
        await full.ScanAsync(Owner);
        var expected = await full.SnapshotAsync(Owner);
        LineAssert.Same(expected.Messages, scanned.Messages);
        LineAssert.Same(expected.Meetings, scanned.Meetings);
        Assert.Equal(box.ExpectedMessages(incremental.Options.ExcludedWellKnownFolders).Count, scanned.Messages.Count);

        // And the next night, nothing changed: back to one request per folder plus two.
        server.ResetRequestLog();
        await incremental.ScanAsync(Owner);
        Assert.Equal(read.Count + 2, server.RequestCount);
    }

    [Fact]
    public async Task An_expired_folder_tree_link_rereads_the_tree_once()
    {
        var box = NewMailbox(messages: 40, meetings: 5);
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server);
        await harness.ScanAsync(Owner);
        var before = await harness.SnapshotAsync(Owner);
        server.EnqueueFault(new Fault(FaultKind.ExpiredToken, PathContains: "/mailFolders/delta"));
        server.ResetRequestLog();

        await harness.ScanAsync(Owner);

        Assert.Contains(server.Requests, r => r.Status == 410 && r.Path.Contains("/mailFolders/delta", StringComparison.Ordinal));
        Assert.Equal(5, (await harness.Scanner.StoredCorrespondenceFoldersAsync(Owner, default)).Count);
        var after = await harness.SnapshotAsync(Owner);
        LineAssert.Same(before.Messages, after.Messages);
        Assert.Equal(0, harness.Factory.Counter.Throttled);
    }
}
