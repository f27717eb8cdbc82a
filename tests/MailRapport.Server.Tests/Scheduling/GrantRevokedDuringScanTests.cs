using MailRapport.Server.Delegated;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MailRapport.Server.Tests.Scheduling;

/// <summary>
/// A scan's requests read the mailbox's grant once (GraphClients), so a grant marked as needing sign-in while the scan
/// runs, by another host or the sign-in flow, is seen by the scan's lease renewal instead: the scan stops there,
/// permanently failed as a refused token would leave it. (A refusal its own requests meet stops it at once: DelegatedModeTests.)
/// </summary>
public sealed class GrantRevokedDuringScanTests
{
    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_grant_marked_as_needing_sign_in_during_a_scan_stops_it_at_the_next_lease_renewal(StoreProvider provider)
    {
        const string mailbox = RescanTests.Mailbox;
        await using var env = await RescanTests.Environment.StartAsync(provider);
        var grants = env.Services.GetRequiredService<MailboxGrants>();
        await grants.EnsureAsync(mailbox, "tenant", "oid");
        await grants.MarkActiveAsync(mailbox);
        env.Scanner.Hold();
        var running = env.Runner.RunAsync(mailbox);
        await env.Scanner.WaitForAsync(() => env.Scanner.CountFor(mailbox) == 1);

        Assert.True(await grants.MarkNeedsSignInAsync(mailbox, "invalid_grant: the user's sessions were revoked"));
        env.Clock.Advance(TimeSpan.FromSeconds(39)); // not yet a third of the 120 s lease: still running
        Assert.True((await env.Registry.GetAsync(mailbox))!.ScanRunning);
        env.Clock.Advance(TimeSpan.FromSeconds(1));

        var stopped = await Assert.ThrowsAsync<PermanentScanFailureException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("sign in again", stopped.Message);
        var status = (await env.Registry.GetAsync(mailbox))!;
        Assert.True(status is { ScanRunning: false, ScanQueued: false, ScanErrorPermanent: true, ScanFinishedAt: null });
        Assert.Contains("invalid_grant", status.ScanError);
        Assert.Equal(1, env.Scanner.CountFor(mailbox));
    }
}
