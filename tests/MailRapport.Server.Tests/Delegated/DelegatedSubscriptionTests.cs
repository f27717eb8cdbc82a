using Dapper;
using MailRapport.Server.Delegated;
using MailRapport.Server.Notifications;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MailRapport.Server.Tests.Delegated;

/// <summary>
/// A delegated mailbox's change-notification subscriptions end to end: the fake Graph server refuses the app's
/// credentials for Alice's mailbox (delegated-only), so every creation, renewal and deletion must carry her own token,
/// including the deletion after she erased her data (her grant is kept, marked erased, until it is done).
/// </summary>
public sealed class DelegatedSubscriptionTests
{
    [Fact]
    public async Task A_delegated_mailboxs_subscriptions_are_created_renewed_and_deleted_with_its_users_token()
    {
        await using var env = await DelegatedEnvironment.StartAsync(notifications: true);
        var alice = env.ClientFor(DelegatedEnvironment.Alice);
        var mailbox = (await alice.GetBodyAsync<DelegatedMeBody>("/api/me")).Mailbox;
        await env.WaitForAsync(mailbox, s => s.ScanFinishedAt is not null || s.ScanError is not null);
        var subscriptions = env.Host.Services.GetRequiredService<SubscriptionManager>();
        var store = env.Host.Services.GetRequiredService<SubscriptionStore>();

        // Enrolment subscribes her mailbox (a job); the maintenance run would too: either way, with her token.
        await subscriptions.EnsureAsync(mailbox);
        await WaitUntilAsync(async () => (await store.ListAsync(mailbox)).Count(s => s.SubscriptionId is not null) == 2);
        Assert.Equal(["events", "messages"], env.Graph.Subscriptions.Select(s => s.Kind).Order());
        var creations = SubscriptionRequests(env);
        Assert.Equal(2, creations.Count);
        Assert.All(creations, a => Assert.Equal((DelegatedEnvironment.Alice.ObjectId, 200), (a.TokenUser, a.Status)));

        // The fake server would refuse the app here: the checks below could fail.
        using (var app = new HttpClient())
        {
            var refused = await app.DeleteAsync($"{env.Graph.BaseUrl}/subscriptions/{env.Graph.Subscriptions[0].Id}");
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        }
        var mark = env.Graph.Access.Count;

        // Renewal: Graph said they expire within the renewal margin.
        await ExpireSoonAsync(env, mailbox);
        var (renewed, recreated, failed) = await subscriptions.RenewDueAsync();
        Assert.Equal((2, 0, 0), (renewed, recreated, failed));
        var renewals = SubscriptionRequests(env, mark);
        Assert.Equal(2, renewals.Count);
        Assert.All(renewals, a => Assert.Equal((DelegatedEnvironment.Alice.ObjectId, 200), (a.TokenUser, a.Status)));

        // Erasure: her grant goes from view at once, but is kept until her subscriptions are deleted at Graph with her token.
        Assert.True((await alice.DeleteAsync("/api/me/data")).IsSuccessStatusCode);
        var grants = env.Host.Services.GetRequiredService<MailboxGrants>();
        Assert.Null(await grants.GetAsync(mailbox));
        Assert.NotNull(await grants.GetForSubscriptionRemovalAsync(mailbox));
        mark = env.Graph.Access.Count;
        Assert.Equal(2, await subscriptions.DrainRemovalsAsync());
        Assert.Empty(env.Graph.Subscriptions);
        var deletes = SubscriptionRequests(env, mark);
        Assert.Equal(2, deletes.Count);
        Assert.All(deletes, a => Assert.Equal((DelegatedEnvironment.Alice.ObjectId, 200), (a.TokenUser, a.Status)));
        Assert.Null(await grants.GetForSubscriptionRemovalAsync(mailbox)); // and then nothing of hers is kept
        Assert.Empty(await store.ListRemovalsAsync(10));
    }

    [Fact]
    public async Task Consent_revoked_before_the_deletion_falls_back_to_the_app_and_then_lets_the_subscriptions_lapse()
    {
        await using var env = await DelegatedEnvironment.StartAsync(notifications: true);
        var alice = env.ClientFor(DelegatedEnvironment.Alice);
        var mailbox = (await alice.GetBodyAsync<DelegatedMeBody>("/api/me")).Mailbox;
        await env.WaitForAsync(mailbox, s => s.ScanFinishedAt is not null || s.ScanError is not null);
        var subscriptions = env.Host.Services.GetRequiredService<SubscriptionManager>();
        var store = env.Host.Services.GetRequiredService<SubscriptionStore>();
        await subscriptions.EnsureAsync(mailbox);
        await WaitUntilAsync(async () => (await store.ListAsync(mailbox)).Count(s => s.SubscriptionId is not null) == 2);

        Assert.True((await alice.DeleteAsync("/api/me/data")).IsSuccessStatusCode);
        var mark = env.Graph.Access.Count;
        env.Tokens.Revoke(DelegatedEnvironment.Alice.ObjectId, accessTokens: true);
        Assert.Equal(2, await subscriptions.DrainRemovalsAsync()); // done: nothing can delete them, they lapse at their expiry
        Assert.Equal(2, env.Graph.Subscriptions.Count);
        Assert.Contains(SubscriptionRequests(env, mark), a => (a.TokenUser, a.Status) == (null, 403)); // the app was tried
        Assert.Empty(await store.ListRemovalsAsync(10));
        Assert.Null(await env.Host.Services.GetRequiredService<MailboxGrants>().GetForSubscriptionRemovalAsync(mailbox));
    }

    /// <summary>The fake Graph server's checks of subscription requests, from the <paramref name="from"/>-th checked request on.</summary>
    private static List<(string Path, string? TokenUser, int Status)> SubscriptionRequests(DelegatedEnvironment env, int from = 0) =>
        env.Graph.Access.Skip(from).Where(a => a.Path.Contains("/subscriptions", StringComparison.OrdinalIgnoreCase)).ToList();

    private static async Task ExpireSoonAsync(DelegatedEnvironment env, string mailbox)
    {
        await using var connection = await env.Host.Services.GetRequiredService<MailStore>().OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE graph_subscriptions SET expires_at = @soon WHERE mailbox_id = @mailbox",
            new { mailbox, soon = DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeMilliseconds() });
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached in time");
            await Task.Delay(50);
        }
    }
}
