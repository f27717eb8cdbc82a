using MailRapport.Core;
using MailRapport.Server.Import;
using MailRapport.Server.Profiles;
using System.Text.Json;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

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
        var mailbox = await store.Interactions().GetMailboxAsync("me-m");
        Assert.Equal(["me@corp.com"], mailbox!.OwnerAddresses);

        var all = new List<Interaction>();
        await foreach (var i in store.Interactions().ReadInteractionsAsync("me-m")) all.Add(i);
        Assert.Equal(4, all.Count);
        Assert.Equal(all.OrderBy(i => i.Timestamp).Select(i => i.Timestamp), all.Select(i => i.Timestamp));

        // contacts --as-of reads only what came before the instant: the model sees 3 interactions before 2001.
        var before = new List<Interaction>();
        await foreach (var i in store.Interactions().ReadInteractionsAsync("me-m", new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero))) before.Add(i);
        Assert.Equal(3, before.Count);
    }

    [Fact]
    public async Task Profiles_can_be_computed_as_of_a_date_on_imported_mail()
    {
        using var dir = new TempFolder();
        WriteSample(dir);
        await using var store = MailStore.OpenSqlite(Path.Combine(dir.Path, "store.db"));
        await new MailImporter(store).ImportAsync(new ImportRequest { Path = Path.Combine(dir.Path, "me-m"), MailboxId = "mine", Now = Now });
        var service = store.ProfileService();
        var profiles = await service.ComputeAsync("mine", new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.DoesNotContain(profiles, p => p.Address == "bob@corp.com"); // bob writes only after the as-of date
        var ann = Assert.Single(profiles, p => p.Address == "ann@corp.com");
        Assert.Equal(1, ann.Evidence.MessagesSent);     // the copy in all_documents counts once
        Assert.Equal(1, ann.Evidence.MessagesReceived);
        Assert.Equal(1, ann.Evidence.SharedMeetings);
        Assert.All(profiles, p => Assert.True(p.Evidence.LastInteraction is null || p.Evidence.LastInteraction < new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task The_cli_imports_then_contacts_as_of_reads_the_imported_mail()
    {
        using var dir = new TempFolder();
        WriteSample(dir);
        var db = Path.Combine(dir.Path, "cli.db");
        var import = await CliRunner.RunAsync(dir.Path, "import", Path.Combine(dir.Path, "me-m"), "--owner", "me@corp.com", "--owner", "me2@corp.com", "--mailbox", "m", "--db", db);
        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Contains("messages stored", import.Out);
        Assert.Contains("duplicates dropped", import.Out);

        var contacts = await CliRunner.RunAsync(dir.Path, "contacts", "--as-of", "2001-01-01", "--format", "json", "--db", db);
        Assert.True(contacts.ExitCode == 0, contacts.Error);
        using var json = JsonDocument.Parse(contacts.Out);
        var addresses = json.RootElement.EnumerateArray().Select(c => c.GetProperty("address").GetString()).ToList();
        Assert.Contains("ann@corp.com", addresses);
        Assert.DoesNotContain("bob@corp.com", addresses); // writes only after the as-of date
        Assert.All(json.RootElement.EnumerateArray(), c => Assert.Equal("2001-01-01T00:00:00+00:00", c.GetProperty("asOf").GetString()));

        await using var store = MailStore.OpenSqlite(db);
        Assert.Equal(["me@corp.com", "me2@corp.com"], (await store.Interactions().GetMailboxAsync("m"))!.OwnerAddresses);
        var missing = await CliRunner.RunAsync(dir.Path, "import", Path.Combine(dir.Path, "missing"), "--db", db);
        Assert.Equal(2, missing.ExitCode);
    }

    private static string CrowdMail(int recipients)
    {
        var to = string.Join(", ", Enumerable.Range(0, recipients).Select(i => $"p{i}@many.example"));
        return $"Date: Wed, 6 Dec 2000 09:00:00 -0800\nFrom: spammer@many.example\nTo: {to}\nSubject: hello all\n\nx\n";
    }

    [Fact]
    public async Task A_batch_that_contributes_nothing_leaves_the_store_byte_identical_and_keeps_the_owners()
    {
        using var dir = new TempFolder();
        WriteSample(dir);
        dir.Write("garbage/a.", "garbage");
        dir.WriteBytes("garbage/b.", [0, 1, 2, 3, 0, 0xff]);
        dir.Write("garbage/c.", "Subject: no sender, no date\n\nx\n");
        var db = Path.Combine(dir.Path, "store.db");
        var good = await CliRunner.RunAsync(dir.Path, "import", Path.Combine(dir.Path, "me-m"), "--mailbox", "good", "--db", db);
        Assert.True(good.ExitCode == 0, good.Error);
        var before = await File.ReadAllBytesAsync(db);

        var garbage = await CliRunner.RunAsync(dir.Path, "import", Path.Combine(dir.Path, "garbage"), "--mailbox", "good", "--db", db);

        Assert.True(garbage.ExitCode == 0, garbage.Error);
        Assert.Contains("nothing to store", garbage.Out);
        Assert.Equal(before, await File.ReadAllBytesAsync(db));
        await using var store = MailStore.OpenSqlite(db);
        Assert.Equal(["me@corp.com"], (await store.Interactions().GetMailboxAsync("good"))!.OwnerAddresses);
    }

    [Fact]
    public async Task A_mail_to_ten_thousand_people_does_not_take_over_an_existing_mailbox()
    {
        using var dir = new TempFolder();
        WriteSample(dir);
        dir.Write("crowd/inbox/1.", CrowdMail(10_000));
        await using var store = MailStore.OpenSqlite(Path.Combine(dir.Path, "store.db"));
        var importer = new MailImporter(store);
        await importer.ImportAsync(new ImportRequest { Path = Path.Combine(dir.Path, "me-m"), MailboxId = "good", Now = Now });

        var report = await importer.ImportAsync(new ImportRequest { Path = Path.Combine(dir.Path, "crowd"), MailboxId = "good", Now = Now });

        Assert.Equal(["me@corp.com"], report.Owners);
        Assert.Equal(["me@corp.com"], (await store.Interactions().GetMailboxAsync("good"))!.OwnerAddresses);
        Assert.Equal(4L, (await store.CountInteractionsAsync("good")).Messages); // the crowd mail is stored, as incoming mail
        await foreach (var i in store.Interactions().ReadInteractionsAsync("good"))
            if (i.Message is { } m) Assert.DoesNotContain(m.Counterparts, c => c.Address == "me@corp.com");
    }

    [Fact]
    public void A_mail_to_ten_thousand_people_names_no_owner_for_a_new_mailbox()
    {
        using var dir = new TempFolder();
        dir.Write("crowd/inbox/1.", CrowdMail(10_000));
        var request = new ImportRequest { Path = Path.Combine(dir.Path, "crowd"), Now = Now };
        var plan = ImportPlanner.Plan(MailImporter.Read(request), request);
        Assert.Empty(plan.Report.Owners);
        Assert.StartsWith("unknown", plan.Report.OwnerSource);
    }

    [Fact]
    public async Task Stored_owners_change_only_when_given_and_a_differing_inference_is_reported()
    {
        using var dir = new TempFolder();
        WriteSample(dir);
        dir.Write("other/sent/1.", "Date: Thu, 7 Dec 2000 09:00:00 -0800\nFrom: someone@else.com\nTo: ann@corp.com\nSubject: hi\n\nx\n");
        await using var store = MailStore.OpenSqlite(Path.Combine(dir.Path, "store.db"));
        var importer = new MailImporter(store);
        await importer.ImportAsync(new ImportRequest { Path = Path.Combine(dir.Path, "me-m"), MailboxId = "good", Now = Now });

        var inferred = await importer.ImportAsync(new ImportRequest { Path = Path.Combine(dir.Path, "other"), MailboxId = "good", Now = Now });
        Assert.Equal(["me@corp.com"], (await store.Interactions().GetMailboxAsync("good"))!.OwnerAddresses);
        Assert.Contains("someone@else.com", inferred.OwnerWarning);

        var given = await importer.ImportAsync(new ImportRequest { Path = Path.Combine(dir.Path, "other"), MailboxId = "good", Owners = ["Someone@Else.com"], Now = Now });
        Assert.Equal(["someone@else.com"], (await store.Interactions().GetMailboxAsync("good"))!.OwnerAddresses);
        Assert.StartsWith("given (replacing", given.OwnerSource);
    }

    [PostgresFact]
    public async Task Import_on_postgres_is_idempotent_too()
    {
        using var dir = new TempFolder();
        WriteSample(dir);
        await using var test = await TestStore.PostgresAsync();
        var importer = new MailImporter(test.Store);
        var request = new ImportRequest { Path = Path.Combine(dir.Path, "me-m"), Now = Now };
        await importer.ImportAsync(request);
        await importer.ImportAsync(request);
        Assert.Equal((3L, 1L), await test.Store.CountInteractionsAsync("me-m"));
    }
}
