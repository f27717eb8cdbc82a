using System.Security.Claims;
using MailRapport.Server.Graph;
using MailRapport.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Auth;

/// <summary>
/// The mailbox the signed-in caller may see, taken from the token (tenant id + object id), never from the request.
/// An endpoint parameter: binding resolves it (enrolling on a user's first call); when the caller has no mailbox,
/// <see cref="Stop"/> holds the answer and <see cref="CallerMailboxFilter"/> returns it instead of running the endpoint.
/// </summary>
public sealed record CallerMailbox(string MailboxId, bool JustEnrolled, IResult? Stop = null)
{
    public static async ValueTask<CallerMailbox?> BindAsync(HttpContext http) =>
        await http.RequestServices.GetRequiredService<CallerMailboxResolver>().ResolveAsync(http);
}

/// <summary>Short-circuits an endpoint whose caller has no mailbox it may see.</summary>
public sealed class CallerMailboxFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
            if (argument is CallerMailbox { Stop: { } stop })
                return stop;
        return await next(context);
    }
}

/// <summary>
/// Finds the caller's mailbox. A caller is the directory user (tid, oid), and only users of the tenant the service
/// scans (Graph:TenantId) have one: an admin-configured mailbox the directory says is theirs, else their own,
/// enrolled on the first call (mailbox id = object id; registered, scanned at once, then nightly). Names in the
/// token (preferred_username, upn) are never used: they are mutable and say nothing about who owns a mailbox.
/// </summary>
public sealed class CallerMailboxResolver(
    IOptions<ServiceOptions> service,
    IOptions<GraphOptions> graph,
    MailboxRegistry registry,
    ConfiguredMailboxes configured,
    MailboxScheduler scheduler,
    ILogger<CallerMailboxResolver> log)
{
    public async Task<CallerMailbox> ResolveAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        if (service.Value.Mode == ServiceMode.Local)
            return new CallerMailbox(service.Value.LocalMailbox, false);
        var user = http.User;
        var tenantId = user.FindFirstValue("tid");
        var objectId = user.FindFirstValue("oid");
        if (string.IsNullOrEmpty(tenantId) || string.IsNullOrEmpty(objectId))
            return Refuse("Token names no user", "The access token has no tid and oid claims, so it names no mailbox.");
        if (!IsScannedTenant(tenantId))
        {
            log.LogWarning("User {Tenant}/{Object} refused: the service does not scan that tenant", tenantId, objectId);
            return Refuse("Tenant not served", "This service reads the mailboxes of another organisation; your account has no mailbox here.");
        }

        var mailboxId = await registry.FindByUserAsync(tenantId, objectId, ct);
        if (mailboxId is null)
        {
            // A configured mailbox may be this user's: ask the directory before enrolling anything.
            if (!await configured.BindAsync(ct))
                return new CallerMailbox("", false, Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Directory unavailable", detail: "Your mailbox could not be looked up in the directory. Try again in a minute."));
            mailboxId = await registry.FindByUserAsync(tenantId, objectId, ct);
        }
        bool enrolled = false;
        if (mailboxId is null)
        {
            // Nothing is stored for a user who is not enrolled: erasing must not enrol them.
            if (HttpMethods.IsDelete(http.Request.Method))
                return new CallerMailbox(objectId, false, Results.NoContent());
            switch (await registry.EnrolAsync(tenantId, objectId, objectId, ct))
            {
                case EnrolmentOutcome.Conflict:
                    log.LogWarning("User {Tenant}/{Object}: mailbox id {Mailbox} is taken by another registration", tenantId, objectId, objectId);
                    return Refuse("Mailbox belongs to another user", "This mailbox is already registered for a different account.");
                case EnrolmentOutcome.Enrolled:
                    log.LogInformation("Enrolled the mailbox of {Tenant}/{Object}", tenantId, objectId);
                    await scheduler.ScanNowAsync(objectId, ct: ct);
                    enrolled = true;
                    break;
                case EnrolmentOutcome.AlreadyEnrolled:
                    break; // the nightly run covers every registered mailbox
            }
            mailboxId = objectId;
        }
        return new CallerMailbox(mailboxId, enrolled);
    }

    /// <summary>The Graph client reads one tenant's mailboxes; a user of any other tenant has nothing here.</summary>
    private bool IsScannedTenant(string tenantId) =>
        Guid.TryParse(tenantId, out var tid) && Guid.TryParse(graph.Value.TenantId, out var scanned) && tid == scanned;

    private static CallerMailbox Refuse(string title, string detail) =>
        new("", false, Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail));
}
