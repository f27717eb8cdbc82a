using MailRapport.Core;
using MailRapport.Server.Import;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Tests.Import;

public sealed class ImportStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    private static void WriteSample(TempFolder dir)
    {
        dir.Write("me-m/sent/1.", "Date: Mon, 4 Dec 2000 09:00:00 -0800\nFrom: me@corp.com\nTo: ann@corp.com\nSubject: Budget\n\nx\n");
        dir.Write("me-m/all_documents/1.", "Date: Mon, 4 Dec 2000 09:00:00 -0800\nFrom: me@corp.com\nTo: ann@corp.com\nSubject: Budget\n\nx\n");
        dir.Write("me-m/inbox/1.", "Date: Tue, 5 Dec 2000 09:00:00 -0800\nFrom: ann@corp.com\nTo: me@corp.com\nSubject: RE: Budget\n\nx\n");
        dir.Write("me-m/inbox/2.", "Date: Fri, 5 Jan 2001 09:00:00 -0800\nFrom: bob@corp.com\nTo: me@corp.com\nSubject: Later\n\nx\n");
        dir.Write("me-m/inbox/3.", "garbage");
        dir.Write("me-m/cal.ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:m1\nDTSTART:20001206T150000Z\nDTEND:20001206T160000Z\nORGANIZER:mailto:ann@corp.com\nATTENDEE:mailto:me@corp.com\nEND:VEVENT\nEND:VCALENDAR\n");
    }

    [Fact]
    public async Task Importing_twice_stores_the_same_rows_and_reads_back_in_time_order()
    {
        using var dir = new TempFolder();
        WriteSample(dir);
        var db = Path.Combine(dir.Path, "store.db");
        await using var store = MailStore.OpenSqlite(db);
        var importer = new MailImporter(store);
        var request = new ImportRequest { Path = Path.Combine(dir.Path, "me-m"), Now = Now };

        var first = await importer.ImportAsync(request);
        var counts1 = await store.CountInteractionsAsync("me-m");
        var second = await importer.ImportAsync(request);
        var counts2 = await store.CountInteractionsAsync("me-m");

        Assert.Equal((3L, 1L), counts1);
        Assert.Equal(counts1, counts2);
        Assert.Equal(first.MessagesStored, second.MessagesStored);
        Assert.Equal(1, first.Malformed);
        var mailbox = await store.GetMailboxAsync("me-m");
        Assert.Equal(["me@corp.com"], mailbox!.OwnerAddresses);

        var all = new List<Interaction>();
        await foreach (var i in store.ReadInteractionsAsync("me-m")) all.Add(i);
        Assert.Equal(4, all.Count);
        Assert.Equal(all.OrderBy(i => i.Timestamp).Select(i => i.Timestamp), all.Select(i => i.Timestamp));

        // contacts --as-of reads only what came before the instant: the model sees 3 interactions before 2001.
        var before = new List<Interaction>();
        await foreach (var i in store.ReadInteractionsAsync("me-m", new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero))) before.Add(i);
        Assert.Equal(3, before.Count);
    }

    [Fact]
    public async Task Profiles_can_be_computed_as_of_a_date_on_imported_mail()
    {
        using var dir = new TempFolder();
        WriteSample(dir);
        await using var store = MailStore.OpenSqlite(Path.Combine(dir.Path, "store.db"));
        await new MailImporter(store).ImportAsync(new ImportRequest { Path = Path.Combine(dir.Path, "me-m"), MailboxId = "mine", Now = Now });
        var service = new ProfileService(store, new RelationshipModel(new StageModelOptions()));
        var profiles = await service.ComputeAsync("mine", new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.DoesNotContain(profiles, p => p.Address == "bob@corp.com"); // bob writes only after the as-of date
        Assert.All(profiles, p => Assert.True(p.Evidence.LastInteraction is null || p.Evidence.LastInteraction < new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task The_cli_imports_and_prints_a_report()
    {
        using var dir = new TempFolder();
        WriteSample(dir);
        var db = Path.Combine(dir.Path, "cli.db");
        var exit = await MailRapport.Server.Cli.CliApp.RunAsync(["import", Path.Combine(dir.Path, "me-m"), "--owner", "me@corp.com", "--owner", "me2@corp.com", "--mailbox", "m", "--db", db]);
        Assert.Equal(0, exit);
        await using var store = MailStore.OpenSqlite(db);
        Assert.Equal(["me@corp.com", "me2@corp.com"], (await store.GetMailboxAsync("m"))!.OwnerAddresses);
        Assert.Equal(2, await MailRapport.Server.Cli.CliApp.RunAsync(["import", Path.Combine(dir.Path, "missing"), "--db", db]));
    }
}
