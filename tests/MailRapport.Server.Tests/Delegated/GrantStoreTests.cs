using System.Xml.Linq;
using MailRapport.Server.Delegated;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Delegated;

/// <summary>The grant and key-ring stores on both databases: states, the opaque token cache, erasure, shared keys.</summary>
public sealed class GrantStoreTests
{
    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_grant_moves_between_states_keeps_its_cache_and_is_erased_with_its_mailbox(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        var grants = new MailboxGrants(t.Store, TimeProvider.System);
        Assert.False(await grants.WriteTokenCacheAsync("m1", "x")); // no row, nothing kept
        await grants.EnsureAsync("m1", "tid", "oid");
        await grants.EnsureAsync("m1", "other", "other"); // an existing row is kept
        Assert.Equal(("tid", GrantState.Pending), ((await grants.GetAsync("m1"))!.TenantId, (await grants.GetAsync("m1"))!.State));
        Assert.True(await grants.WriteTokenCacheAsync("m1", "opaque"));
        Assert.Equal("opaque", await grants.ReadTokenCacheAsync("m1"));

        Assert.Null(await grants.MarkActiveAsync("m0"));
        Assert.Equal(GrantState.Pending, await grants.MarkActiveAsync("m1"));
        Assert.True(await grants.MarkNeedsSignInAsync("m1", "invalid_grant: revoked"));
        Assert.False(await grants.MarkNeedsSignInAsync("m1", "invalid_grant: again")); // one change, logged once
        var marked = (await grants.GetAsync("m1"))!;
        Assert.Equal((true, "invalid_grant: revoked"), (marked.NeedsSignIn, marked.Reason));
        Assert.NotNull(marked.LastAttemptAt);
        Assert.True(await grants.NeedsSignInAsync("m1"));
        Assert.Equal(GrantState.NeedsSignIn, await grants.MarkActiveAsync("m1"));
        Assert.False(await grants.NeedsSignInAsync("m1"));

        await new MailboxEraser(t.Store, [grants]).EraseAsync("m1");
        Assert.Null(await grants.GetAsync("m1"));
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task The_key_ring_is_kept_once_per_key_and_read_back_in_order(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        var keys = new DataProtectionKeys(t.Store, TimeProvider.System, new KeyEncryptionCertificate(null), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        Assert.Empty(keys.GetAllElements());
        keys.StoreElement(new XElement("key", new XAttribute("id", "1")), "key-1");
        keys.StoreElement(new XElement("key", new XAttribute("id", "1")), "key-1");
        keys.StoreElement(new XElement("key", new XAttribute("id", "2")), "key-2");
        Assert.Equal(["1", "2"], new DataProtectionKeys(t.Store, TimeProvider.System, new KeyEncryptionCertificate(null), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).GetAllElements().Select(e => e.Attribute("id")!.Value));
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task An_erased_mailbox_with_subscriptions_keeps_its_grant_hidden_until_they_are_deleted_whatever_the_erasure_order(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        var grants = new MailboxGrants(t.Store, TimeProvider.System);
        var subscriptions = new MailRapport.Server.Notifications.SubscriptionStore(t.Store, TimeProvider.System);
        foreach (var (mailbox, parts) in new[] { ("m1", new IMailboxErasure[] { grants, subscriptions }), ("m2", [subscriptions, grants]) })
        {
            await grants.EnsureAsync(mailbox, "tid", "oid");
            await grants.WriteTokenCacheAsync(mailbox, "opaque");
            Assert.True(await subscriptions.TryClaimCreateAsync(mailbox, "messages", "me", DateTimeOffset.UtcNow.AddMinutes(1)));
            Assert.True(await subscriptions.SetPendingSecretAsync(mailbox, "messages", "me", "hash"));
            Assert.True(await subscriptions.CompleteCreateAsync(mailbox, "messages", "me", "sub-" + mailbox, DateTimeOffset.UtcNow.AddDays(1)));

            await new MailboxEraser(t.Store, parts).EraseAsync(mailbox);
            Assert.Null(await grants.GetAsync(mailbox)); // gone for scans and the API
            var kept = await grants.GetForSubscriptionRemovalAsync(mailbox);
            Assert.Equal(("oid", "opaque"), (kept?.ObjectId, await grants.ReadTokenCacheAsync(mailbox)));
            var removal = Assert.Single(await subscriptions.ListRemovalsAsync(10), r => r.SubscriptionId == "sub-" + mailbox);
            Assert.Equal(mailbox, removal.MailboxId);
            Assert.NotNull(removal.ExpiresAt);
            await new MailboxEraser(t.Store, parts).EraseAsync(mailbox); // the rerun after a running scan keeps it too
            Assert.NotNull(await grants.GetForSubscriptionRemovalAsync(mailbox));
        }
        // m1 enrolled again: a new pending grant; m2's subscriptions deleted: its grant goes.
        await grants.EnsureAsync("m1", "tid", "oid");
        Assert.Equal(GrantState.Pending, (await grants.GetAsync("m1"))?.State);
        await subscriptions.RemovalDoneAsync("sub-m2");
        Assert.False(await subscriptions.HasRemovalsAsync("m2"));
        await grants.ForgetErasedAsync("m2");
        Assert.Null(await grants.GetForSubscriptionRemovalAsync("m2"));
        // A mailbox without subscriptions loses its grant at once.
        await grants.EnsureAsync("m3", "tid", "oid");
        await new MailboxEraser(t.Store, [grants, subscriptions]).EraseAsync("m3");
        Assert.Null(await grants.GetForSubscriptionRemovalAsync("m3"));
    }
}
