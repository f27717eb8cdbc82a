using MailRapport.Server.Delegated;
using MailRapport.Server.Graph;
using MailRapport.Server.Scheduling;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace MailRapport.Server.Notifications;

/// <summary>
/// Keeps every registered mailbox subscribed to its messages and events at Graph: creates what is missing, renews
/// what expires soon, answers lifecycle notifications, and deletes the subscriptions of erased mailboxes (a delegated
/// mailbox's with its user's token, from the grant kept until then). Each action
/// claims its row in <see cref="SubscriptionStore"/> first, so any host may run any of it and two never do the same.
/// The Hangfire jobs (<see cref="SubscriptionJob"/>) call this; tests call it directly.
/// </summary>
public sealed class SubscriptionManager(
    GraphServiceClient graph,
    MailGraphClientFactory clients,
    MailboxGrants grants,
    IServiceProvider services,
    SubscriptionStore store,
    MailboxRegistry registry,
    MailboxScheduler scheduler,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<SubscriptionManager> log)
{
    private const int Batch = 100;
    private NotificationOptions Options => options.Value;
    private DateTimeOffset ClaimUntil => clock.GetUtcNow().AddSeconds(Options.ClaimSeconds);

    /// <summary>What one maintenance run did.</summary>
    public sealed record MaintenanceResult(int Created, int Renewed, int Recreated, int Removed, int Failed);

    /// <summary>Subscribes the mailbox to whatever it lacks (a row no other host is creating right now). Returns how many were created.</summary>
    public async Task<int> EnsureAsync(string mailboxId, CancellationToken ct = default)
    {
        int created = 0;
        foreach (var resource in SubscribedResource.All)
        {
            var owner = NewOwner();
            if (!await store.TryClaimCreateAsync(mailboxId, resource, owner, ClaimUntil, ct)) continue;
            if (await CreateClaimedAsync(mailboxId, resource, owner, ct)) created++;
        }
        return created;
    }

    /// <summary>
    /// The recurring run: deletes erased mailboxes' subscriptions at Graph, subscribes registered mailboxes that lack
    /// one (new, configured at start, or whose creation failed), and renews those expiring within the margin.
    /// </summary>
    public async Task<MaintenanceResult> MaintainAsync(CancellationToken ct = default)
    {
        int removed = await DrainRemovalsAsync(ct);
        int created = 0, failed = 0;
        var subscribed = (await store.ListAsync(ct: ct)).Where(s => s.SubscriptionId is not null)
            .Select(s => (s.MailboxId, s.Resource)).ToHashSet();
        foreach (var mailbox in await registry.ListAsync(ct))
        {
            // A mailbox Graph said is gone (or refused) gets no subscription until a scan succeeds again.
            if (mailbox.ScanErrorPermanent) continue;
            if (SubscribedResource.All.All(r => subscribed.Contains((mailbox.MailboxId, r)))) continue;
            try { created += await EnsureAsync(mailbox.MailboxId, ct); }
            catch (Exception e) when (e is not OperationCanceledException) { failed++; log.LogWarning(e, "Could not subscribe {Mailbox}", mailbox.MailboxId); }
        }
        var (renewed, recreated, renewFailed) = await RenewDueAsync(ct);
        var result = new MaintenanceResult(created, renewed, recreated, removed, failed + renewFailed);
        if (result != new MaintenanceResult(0, 0, 0, 0, 0))
            log.LogInformation("Graph subscriptions: {Created} created, {Renewed} renewed, {Recreated} recreated, {Removed} removed, {Failed} failed",
                result.Created, result.Renewed, result.Recreated, result.Removed, result.Failed);
        return result;
    }

    /// <summary>Renews every subscription that expires within <see cref="NotificationOptions.RenewBeforeMinutes"/>, to now + the lifetime.</summary>
    public async Task<(int Renewed, int Recreated, int Failed)> RenewDueAsync(CancellationToken ct = default)
    {
        int renewed = 0, recreated = 0, failed = 0;
        var owner = NewOwner();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var due = await store.ClaimDueAsync(clock.GetUtcNow().AddMinutes(Options.RenewBeforeMinutes), owner, ClaimUntil, Batch, ct);
            var fresh = due.Where(s => seen.Add(s.SubscriptionId!)).ToList();
            foreach (var again in due.Except(fresh)) // failed once in this run already: left to the next run
                await store.ReleaseAsync(again.MailboxId, again.Resource, owner, CancellationToken.None);
            if (fresh.Count == 0) break;
            foreach (var sub in fresh)
            {
                try
                {
                    var expires = Expiry();
                    using var credentials = GraphThrottlingHandler.ForMailbox(sub.MailboxId); // the mailbox's own credentials (GraphClients)
                    var answer = await graph.Subscriptions[sub.SubscriptionId].PatchAsync(new Subscription { ExpirationDateTime = expires }, cancellationToken: ct);
                    await store.RenewedAsync(sub.SubscriptionId!, owner, answer?.ExpirationDateTime ?? expires, ct);
                    renewed++;
                }
                catch (ApiException e) when (e.ResponseStatusCode == 404)
                {
                    // Gone at Graph (expired while we were down, or removed): make a new one and read what was missed.
                    log.LogWarning("Subscription {Subscription} of {Mailbox} ({Resource}) is gone at Graph: recreating it", sub.SubscriptionId, sub.MailboxId, sub.Resource);
                    if (await RecreateClaimedAsync(sub, owner, ct)) recreated++; else failed++;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed++;
                    log.LogWarning(e, "Could not renew subscription {Subscription} of {Mailbox}; the next run tries again", sub.SubscriptionId, sub.MailboxId);
                    await store.ReleaseAsync(sub.MailboxId, sub.Resource, owner, CancellationToken.None);
                }
            }
        }
        return (renewed, recreated, failed);
    }

    /// <summary>reauthorizationRequired: POST /subscriptions/{id}/reauthorize; a subscription Graph no longer has is recreated.</summary>
    public async Task<bool> ReauthorizeAsync(string subscriptionId, CancellationToken ct = default)
    {
        var owner = NewOwner();
        if (await ClaimOrWaitAsync(subscriptionId, owner, ct) is not { } sub) return false;
        try
        {
            using (GraphThrottlingHandler.ForMailbox(sub.MailboxId)) // the mailbox's own credentials (GraphClients)
                await graph.Subscriptions[subscriptionId].Reauthorize.PostAsync(cancellationToken: ct);
            await store.ReleaseAsync(sub.MailboxId, sub.Resource, owner, CancellationToken.None);
            log.LogInformation("Reauthorized subscription {Subscription} of {Mailbox}", subscriptionId, sub.MailboxId);
            return true;
        }
        catch (ApiException e) when (e.ResponseStatusCode == 404)
        {
            return await RecreateClaimedAsync(sub, owner, ct);
        }
        catch
        {
            await store.ReleaseAsync(sub.MailboxId, sub.Resource, owner, CancellationToken.None);
            throw;
        }
    }

    /// <summary>subscriptionRemoved: a new subscription for the same mailbox and resource, then a scan for what happened in between.</summary>
    public async Task<bool> RecreateAsync(string subscriptionId, CancellationToken ct = default)
    {
        var owner = NewOwner();
        if (await ClaimOrWaitAsync(subscriptionId, owner, ct) is not { } sub) return false;
        return await RecreateClaimedAsync(sub, owner, ct);
    }

    /// <summary>missed: some notifications were not delivered, so read the mailbox's changes now.</summary>
    public async Task<bool> CatchUpAsync(string subscriptionId, CancellationToken ct = default) =>
        await store.FindAsync(subscriptionId, "", ct) is { } sub && await scheduler.ScanNowAsync(sub.MailboxId, ct: ct);

    /// <summary>
    /// Deletes at Graph the subscriptions of erased mailboxes (already gone there, or lapsed, counts as done): a
    /// delegated mailbox's with its user's token, else (no grant kept, consent revoked) with the app's credentials. When
    /// Graph refuses both, the subscription is left to lapse at its expiry (nothing is delivered for it: its client
    /// state is gone). The kept grant of an erased mailbox goes with its last subscription.
    /// </summary>
    public async Task<int> DrainRemovalsAsync(CancellationToken ct = default)
    {
        int removed = 0;
        foreach (var removal in await store.ListRemovalsAsync(1000, ct))
        {
            try
            {
                if (removal.ExpiresAt is not { } expires || expires > clock.GetUtcNow())
                    await DeleteAtGraphAsync(removal, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Could not delete subscription {Subscription} of an erased mailbox; the next run tries again", removal.SubscriptionId);
                continue;
            }
            await store.RemovalDoneAsync(removal.SubscriptionId, ct);
            removed++;
            if (removal.MailboxId is { } mailboxId && !await store.HasRemovalsAsync(mailboxId, ct))
                await grants.ForgetErasedAsync(mailboxId, ct);
        }
        // Grants kept for a subscription whose creation failed as its mailbox was erased: nothing left to delete with them.
        await grants.ForgetErasedWithoutRemovalsAsync(clock.GetUtcNow().AddSeconds(-Options.ClaimSeconds), ct);
        return removed;
    }

    private async Task DeleteAtGraphAsync(PendingRemoval removal, CancellationToken ct)
    {
        var id = removal.SubscriptionId;
        var grant = removal.MailboxId is { } mailboxId ? await grants.GetForSubscriptionRemovalAsync(mailboxId, ct) : null;
        if (grant is not null && await DelegatedTokenAsync(grant, ct) is { } token)
        {
            try
            {
                await clients.Create(new BearerToken(token)).Subscriptions[id].DeleteAsync(cancellationToken: ct);
                return;
            }
            catch (ApiException e) when (e.ResponseStatusCode == 404) { return; }
            catch (ApiException e) when (e.ResponseStatusCode is 401 or 403)
            {
                log.LogWarning("Graph refused to delete subscription {Subscription} with the delegated token of erased mailbox {Mailbox} (HTTP {Status}); trying the app's credentials",
                    id, grant.MailboxId, e.ResponseStatusCode);
            }
        }
        try
        {
            await graph.Subscriptions[id].DeleteAsync(cancellationToken: ct);
        }
        catch (ApiException e) when (e.ResponseStatusCode == 404) { }
        catch (ApiException e) when (grant is not null && e.ResponseStatusCode is 401 or 403)
        {
            // Delegated-only tenant and no usable delegated token: nothing else can delete it.
            log.LogWarning("Subscription {Subscription} of erased mailbox {Mailbox} could not be deleted at Graph (HTTP {Status}); it lapses at {Expires:o}",
                id, grant.MailboxId, e.ResponseStatusCode, removal.ExpiresAt);
        }
    }

    /// <summary>The kept grant's user token, or null when there is none to be had (consent revoked, or a host without delegated mode).</summary>
    private async Task<string?> DelegatedTokenAsync(MailboxGrant grant, CancellationToken ct)
    {
        if (services.GetService<DelegatedTokens>() is not { } tokens) return null;
        try
        {
            return await tokens.GetAccessTokenAsync(grant, ct);
        }
        catch (PermanentScanFailureException e)
        {
            log.LogWarning("No delegated token for erased mailbox {Mailbox} ({Reason}); deleting its subscriptions with the app's credentials", grant.MailboxId, e.Message);
            return null;
        }
    }

    /// <summary>One request's credentials: a bearer token already in hand.</summary>
    private sealed class BearerToken(string token) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default)
        {
            request.Headers.Remove("Authorization");
            request.Headers.Add("Authorization", "Bearer " + token);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Claims a subscription for a lifecycle action: null when it is not ours (any more); when another host holds it
    /// (renewing it, say), throws so the job runs again once that claim is released or lapsed.
    /// </summary>
    private async Task<StoredSubscription?> ClaimOrWaitAsync(string subscriptionId, string owner, CancellationToken ct)
    {
        if (await store.TryClaimAsync(subscriptionId, owner, ClaimUntil, ct) is { } sub) return sub;
        if (await store.FindAsync(subscriptionId, "", ct) is null) return null;
        throw new SubscriptionBusyException($"Subscription {subscriptionId} is being changed by another run; trying again later.");
    }

    private async Task<bool> RecreateClaimedAsync(StoredSubscription sub, string owner, CancellationToken ct)
    {
        await store.ForgetClaimedAsync(sub.SubscriptionId!, owner, ct);
        if (!await CreateClaimedAsync(sub.MailboxId, sub.Resource, owner, ct)) return false;
        await scheduler.ScanSoonAsync(sub.MailboxId, TimeSpan.FromSeconds(Options.DebounceSeconds), ct);
        return true;
    }

    /// <summary>POST /subscriptions for a claimed row. Graph calls the notification URL (the handshake) before it answers.</summary>
    private async Task<bool> CreateClaimedAsync(string mailboxId, string resource, string owner, CancellationToken ct)
    {
        var secret = ClientState.NewSecret();
        Subscription? created;
        try
        {
            if (!await store.SetPendingSecretAsync(mailboxId, resource, owner, ClientState.Hash(secret), ct)) return false;
            var expires = Expiry();
            // /subscriptions names no user: the scope tells GraphClients whose credentials (the app's or a delegated user's) to send.
            using var credentials = GraphThrottlingHandler.ForMailbox(mailboxId);
            created = await graph.Subscriptions.PostAsync(new Subscription
            {
                ChangeType = "created,updated,deleted",
                Resource = $"users/{mailboxId}/{resource}",
                NotificationUrl = Options.NotificationUrl,
                LifecycleNotificationUrl = Options.LifecycleUrl,
                ExpirationDateTime = expires,
                ClientState = secret,
            }, cancellationToken: ct);
            if (string.IsNullOrEmpty(created?.Id)) throw new InvalidOperationException("Graph answered the subscription request without an id.");
            if (await store.CompleteCreateAsync(mailboxId, resource, owner, created.Id, created.ExpirationDateTime ?? expires, ct))
            {
                log.LogInformation("Subscribed {Mailbox} ({Resource}): subscription {Subscription} until {Expires:o}", mailboxId, resource, created.Id, created.ExpirationDateTime);
                return true;
            }
        }
        catch
        {
            await store.ReleaseAsync(mailboxId, resource, owner, CancellationToken.None);
            throw;
        }
        // The row went away while Graph created it: the mailbox was erased. The new subscription must not outlive it.
        log.LogInformation("Mailbox {Mailbox} was erased while subscribing: deleting subscription {Subscription}", mailboxId, created.Id);
        await store.AddRemovalAsync(created.Id, mailboxId, created.ExpirationDateTime, CancellationToken.None);
        await DrainRemovalsAsync(CancellationToken.None);
        return false;
    }

    private DateTimeOffset Expiry() => clock.GetUtcNow().AddMinutes(Options.LifetimeMinutes);

    private static string NewOwner() => Environment.MachineName + ":" + Guid.NewGuid().ToString("n");
}

/// <summary>Another host holds the subscription's claim: the lifecycle job is retried.</summary>
public sealed class SubscriptionBusyException(string message) : Exception(message);
