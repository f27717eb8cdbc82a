using System.Globalization;
using MailRapport.Server.Scheduling;

namespace MailRapport.Server.Delegated;

/// <summary>
/// Delegated mode, on the API's calls: a user's own mailbox gets its grant from their token (on-behalf-of) before it
/// is enrolled, and a mailbox that needs sign-in gets it back from a fresh token, which also queues a scan. An active
/// grant costs one row read per call and no token request.
/// </summary>
public sealed class DelegatedSignIn(MailboxGrants grants, DelegatedTokens tokens, MailboxRegistry registry, MailboxScheduler scheduler,
    ILogger<DelegatedSignIn> log)
{
    /// <summary>A newcomer: record the grant and exchange their token before enrolment queues the first scan.</summary>
    public async Task BeforeEnrolAsync(HttpContext http, string tenantId, string objectId, CancellationToken ct)
    {
        await grants.EnsureAsync(objectId, tenantId, objectId, ct);
        await ExchangeAsync(http, objectId, tenantId, objectId, queueScan: false, ct);
    }

    /// <summary>A known mailbox: nothing when its grant is active; otherwise one exchange per fresh token.</summary>
    public async Task OnCallAsync(HttpContext http, string mailboxId, CancellationToken ct)
    {
        var grant = await grants.GetAsync(mailboxId, ct);
        if (grant is null)
        {
            // The user's own mailbox, read by the app until now, is read as the user from now on; configured mailboxes stay the app's.
            var status = await registry.GetAsync(mailboxId, ct);
            if (status is not { Origin: MailboxOrigin.Enrolled, TenantId: { } tenantId, ObjectId: { } objectId }) return;
            await grants.EnsureAsync(mailboxId, tenantId, objectId, ct);
            grant = await grants.GetAsync(mailboxId, ct);
            if (grant is null) return; // erased meanwhile
        }
        if (grant.State == GrantState.Active) return;
        // A token issued before the last attempt would get the same answer: wait for a new one (the pane's sign-in).
        if (grant.LastAttemptAt is { } last && IssuedAt(http) is { } issued && issued <= last) return;
        await ExchangeAsync(http, mailboxId, grant.TenantId, grant.ObjectId, queueScan: true, ct);
    }

    private async Task ExchangeAsync(HttpContext http, string mailboxId, string tenantId, string objectId, bool queueScan, CancellationToken ct)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return;
        string? refusal;
        try
        {
            refusal = await tokens.StartAsync(mailboxId, tenantId, objectId, header["Bearer ".Length..].Trim(), ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The token endpoint is unreachable or confused: serve what is stored; the next call tries again.
            log.LogWarning(e, "On-behalf-of exchange for mailbox {Mailbox} failed; trying again on the next call", mailboxId);
            return;
        }
        if (refusal is not null)
        {
            await grants.MarkNeedsSignInAsync(mailboxId, refusal, ct);
            return;
        }
        var before = await grants.MarkActiveAsync(mailboxId, ct);
        log.LogInformation("Mailbox {Mailbox} is read with its user's delegated permissions (was {State})", mailboxId, before);
        if (queueScan && before != GrantState.Active)
            await scheduler.ScanNowAsync(mailboxId, ct: ct);
    }

    private static DateTimeOffset? IssuedAt(HttpContext http) =>
        long.TryParse(http.User.FindFirst("iat")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var iat)
            ? DateTimeOffset.FromUnixTimeSeconds(iat) : null;
}
