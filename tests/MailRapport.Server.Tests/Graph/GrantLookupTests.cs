using MailRapport.Core;
using MailRapport.FakeGraph;
using MailRapport.Server.Delegated;
using MailRapport.Server.Graph;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Abstractions.Authentication;

namespace MailRapport.Server.Tests.Graph;

/// <summary>
/// How often a mailbox's grant row is read to decide a request's credentials: once per scan (the scan's mailbox scope),
/// not once per request. The real scanner reads the fake Graph server through the real client; the grant store is the
/// real one behind a counting lookup.
/// </summary>
public sealed class GrantLookupTests
{
    private const string Owner = "alice@contoso.com";

    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_scan_reads_its_mailboxs_grant_once_however_many_requests_it_sends(StoreProvider provider)
    {
        var (mail, meetings) = SyntheticMailbox.Generate(120, 6, DateTimeOffset.UtcNow.AddDays(-1), seed: 9, owner: Owner);
        await using var graph = await FakeGraphServer.StartAsync(SyntheticMailbox.Build(Owner, mail, meetings, seed: 9));
        await using var db = await TestStore.CreateAsync(provider);
        var grants = new MailboxGrants(db.Store, TimeProvider.System);
        int reads = 0;
        GrantLookup counting = (mailbox, ct) =>
        {
            Interlocked.Increment(ref reads);
            return grants.GetAsync(mailbox, ct);
        };
        var options = new GraphOptions { BaseUrl = graph.BaseUrl, PageSize = 10 };
        var factory = new MailGraphClientFactory(options);
        using var services = new ServiceCollection().BuildServiceProvider();
        var client = factory.Create(new MailboxAuthentication(null, new AnonymousAuthenticationProvider(), counting, services));
        var scanner = new GraphMailboxScanner(client, db.Store, db.Store.ProfileService(), options, TimeProvider.System, factory.Counter);

        var first = await scanner.ScanAsync(Owner);
        Assert.True(first.Requests >= 15, $"a scan of {first.Requests} requests proves little");
        Assert.Equal(1, reads);
        var again = await scanner.ScanAsync(Owner); // a rescan is a new scope: its own read
        Assert.True(again.Requests >= 3);
        Assert.Equal(2, reads);

        // Outside a mailbox's scope (the directory's lookups), each request still reads the grant of the mailbox it names.
        await client.Users[Owner].MailFolders.GetAsync();
        await client.Users[Owner].MailFolders.GetAsync();
        Assert.Equal(4, reads);
    }

    [Fact]
    public async Task Concurrent_requests_of_a_scope_share_one_read_and_a_refusal_makes_the_next_read_again()
    {
        await using var db = await TestStore.SqliteAsync();
        var grants = new MailboxGrants(db.Store, TimeProvider.System);
        await grants.EnsureAsync(Owner, "tenant", "oid");
        int reads = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        GrantLookup slow = async (mailbox, ct) =>
        {
            Interlocked.Increment(ref reads);
            await release.Task;
            return await grants.GetAsync(mailbox, ct);
        };

        using var scope = GraphThrottlingHandler.ForMailbox(Owner.ToUpperInvariant());
        var current = GraphThrottlingHandler.CurrentScope!;
        var waiting = Enumerable.Range(0, 8).Select(_ => Task.Run(() => current.GrantAsync(slow, CancellationToken.None))).ToList();
        release.SetResult();
        var seen = await Task.WhenAll(waiting);
        Assert.Equal(1, reads);
        Assert.All(seen, g => Assert.Equal(GrantState.Pending, g!.State));

        // A refusal (Graph's 401, the token endpoint's invalid_grant) marks the grant and drops the scope's copy.
        Assert.True(await grants.MarkNeedsSignInAsync(Owner, "invalid_grant: revoked"));
        current.ForgetGrant();
        Assert.True((await current.GrantAsync(slow, CancellationToken.None))!.NeedsSignIn);
        Assert.Equal(2, reads);
    }
}
