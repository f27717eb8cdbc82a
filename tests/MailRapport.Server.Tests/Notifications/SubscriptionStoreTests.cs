using MailRapport.Server.Notifications;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MailRapport.Server.Tests.Notifications;

/// <summary>The subscription rows' claims on both databases: one host acts on a row at a time, a dead host's claim lapses.</summary>
public sealed class SubscriptionStoreTests
{
    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Claims_let_one_host_create_renew_and_recreate_a_subscription_at_a_time(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var store = new SubscriptionStore(t.Store, clock);
        var lease = clock.GetUtcNow().AddMinutes(2);

        // Creation: the first claim wins, the second host finds it claimed; after completion nobody can claim it to create.
        Assert.True(await store.TryClaimCreateAsync("m1", SubscribedResource.Messages, "A", lease));
        Assert.False(await store.TryClaimCreateAsync("m1", SubscribedResource.Messages, "B", lease));
        Assert.True(await store.SetPendingSecretAsync("m1", SubscribedResource.Messages, "A", ClientState.Hash("s1")));
        Assert.Equal("m1", (await store.FindAsync("not-yet-known", ClientState.Hash("s1")))?.MailboxId); // a notification that beats Graph's answer
        Assert.False(await store.CompleteCreateAsync("m1", SubscribedResource.Messages, "B", "sub-1", clock.GetUtcNow().AddDays(7)));
        Assert.True(await store.CompleteCreateAsync("m1", SubscribedResource.Messages, "A", "sub-1", clock.GetUtcNow().AddDays(7)));
        Assert.False(await store.TryClaimCreateAsync("m1", SubscribedResource.Messages, "B", lease));
        Assert.Equal(("m1", "messages"), (await store.FindAsync("sub-1", "") is { } found ? (found.MailboxId, found.Resource) : default));

        // A creation whose host died: its claim lapses and another host takes it.
        Assert.True(await store.TryClaimCreateAsync("m1", SubscribedResource.Events, "dead", lease));
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.True(await store.TryClaimCreateAsync("m1", SubscribedResource.Events, "B", clock.GetUtcNow().AddMinutes(2)));
        Assert.True(await store.CompleteCreateAsync("m1", SubscribedResource.Events, "B", "sub-2", clock.GetUtcNow().AddDays(3)));

        // Renewal: two hosts claiming what is due get disjoint sets.
        var due = clock.GetUtcNow().AddDays(4);
        var a = await store.ClaimDueAsync(due, "A", clock.GetUtcNow().AddMinutes(2), 10);
        var b = await store.ClaimDueAsync(due, "B", clock.GetUtcNow().AddMinutes(2), 10);
        Assert.Equal(["sub-2"], a.Select(s => s.SubscriptionId));
        Assert.Empty(b);
        Assert.Null(await store.TryClaimAsync("sub-2", "B", clock.GetUtcNow().AddMinutes(2))); // a lifecycle job waits too
        Assert.False(await store.RenewedAsync("sub-2", "B", clock.GetUtcNow().AddDays(7)));
        Assert.True(await store.RenewedAsync("sub-2", "A", clock.GetUtcNow().AddDays(7)));
        Assert.Empty(await store.ClaimDueAsync(due, "B", clock.GetUtcNow().AddMinutes(2), 10));

        // Recreate: forget the id under the claim, then create again under the same claim.
        Assert.NotNull(await store.TryClaimAsync("sub-1", "C", clock.GetUtcNow().AddMinutes(2)));
        Assert.True(await store.ForgetClaimedAsync("sub-1", "C"));
        Assert.Null(await store.FindAsync("sub-1", ""));
        Assert.True(await store.SetPendingSecretAsync("m1", SubscribedResource.Messages, "C", ClientState.Hash("s3")));
        Assert.True(await store.CompleteCreateAsync("m1", SubscribedResource.Messages, "C", "sub-3", clock.GetUtcNow().AddDays(7)));

        // Erasure moves the Graph ids to the removal list in the same transaction.
        await using (var tx = await t.Store.BeginAsync())
        {
            await store.EraseAsync(tx, "m1", CancellationToken.None);
            await tx.CommitAsync();
        }
        Assert.Empty(await store.ListAsync("m1"));
        Assert.Equal(["sub-2", "sub-3"], (await store.ListRemovalsAsync(10)).Select(r => r.SubscriptionId).Order());
        Assert.False(await store.CompleteCreateAsync("m1", SubscribedResource.Messages, "C", "sub-4", clock.GetUtcNow().AddDays(7))); // erased mid-creation
        await store.RemovalDoneAsync("sub-2");
        Assert.Equal(["sub-3"], (await store.ListRemovalsAsync(10)).Select(r => r.SubscriptionId));
    }
}
