using System.Security.Claims;
using MailRapport.Server.Delegated;
using MailRapport.Server.Graph;
using MailRapport.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Auth;

/// <summary>
/// The mailbox the signed-in caller may see, taken from the token (tenant id + object id), never from the request.
/// An endpoint parameter of the API's endpoints (<see cref="CallerMailboxSteps.RequireCallerMailbox"/>): found, or
/// enrolled, by <see cref="CallerMailboxSteps.UseCallerMailbox"/> before the endpoint runs; binding only reads it.
/// </summary>
public sealed record CallerMailbox(string MailboxId)
{
    public static ValueTask<CallerMailbox?> BindAsync(HttpContext http) => ValueTask.FromResult<CallerMailbox?>(
        http.Features.Get<CallerMailbox>() ?? throw new InvalidOperationException(
            $"{http.GetEndpoint()?.DisplayName} takes a {nameof(CallerMailbox)} but does not require one (RequireCallerMailbox)."));
}

/// <summary>The step before an API endpoint: find the caller's mailbox, enrol it on a user's first call, or answer instead.</summary>
public static class CallerMailboxSteps
{
    private sealed class Required;

    /// <summary>Marks endpoints that serve the caller's own mailbox.</summary>
    public static TBuilder RequireCallerMailbox<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Required());

    /// <summary>After authorization: resolves the caller's mailbox for the endpoints that require one.</summary>
    public static IApplicationBuilder UseCallerMailbox(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<Required>() is null)
        {
            await next(http);
            return;
        }
        var ct = http.RequestAborted;
        var lookup = await http.RequestServices.GetRequiredService<CallerMailboxResolver>().FindAsync(http.User, ct);
        // Delegated mode (Graph:Mode): the caller's token gives their mailbox its grant, or gives it back after a revocation.
        var delegated = http.RequestServices.GetService<DelegatedSignIn>();
        if (lookup is CallerLookup.NotEnrolled newcomer)
        {
            // Nothing is stored for a user who is not enrolled: erasing must not enrol them.
            if (HttpMethods.IsDelete(http.Request.Method))
                lookup = new CallerLookup.Answer(Results.NoContent());
            else
            {
                if (delegated is not null) await delegated.BeforeEnrolAsync(http, newcomer.TenantId, newcomer.ObjectId, ct);
                lookup = await http.RequestServices.GetRequiredService<MailboxEnrolment>().EnrolAsync(newcomer.TenantId, newcomer.ObjectId, ct);
            }
        }
        else if (lookup is CallerLookup.Found known && delegated is not null)
            await delegated.OnCallAsync(http, known.MailboxId, ct);
        switch (lookup)
        {
            case CallerLookup.Found found:
                http.Features.Set(new CallerMailbox(found.MailboxId));
                await next(http);
                break;
            case CallerLookup.Answer answer:
                await answer.Result.ExecuteAsync(http);
                break;
        }
    });
}

/// <summary>What is known of a caller's mailbox before the endpoint runs.</summary>
public abstract record CallerLookup
{
    private CallerLookup() { }
    public sealed record Found(string MailboxId) : CallerLookup;
    /// <summary>A user of the scanned tenant with no mailbox yet.</summary>
    public sealed record NotEnrolled(string TenantId, string ObjectId) : CallerLookup;
    /// <summary>No mailbox may be served: this is the answer instead.</summary>
    public sealed record Answer(IResult Result) : CallerLookup;

    public static Answer Refuse(string title, string detail) =>
        new(Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail));
}

/// <summary>
/// Finds the caller's mailbox. A caller is the directory user (tid, oid), and only users of the tenant the service
/// scans (Graph:TenantId) have one: an admin-configured mailbox the directory says is theirs, else their own, once
/// enrolled (<see cref="MailboxEnrolment"/>). Names in the token (preferred_username, upn) are never used: they are
/// mutable and say nothing about who owns a mailbox.
/// </summary>
public sealed class CallerMailboxResolver(
    HostMode mode,
    IOptions<GraphOptions> graph,
    MailboxRegistry registry,
    ConfiguredMailboxes configured,
    ILogger<CallerMailboxResolver> log)
{
    public async Task<CallerLookup> FindAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (mode.LocalMailbox is { } local)
            return new CallerLookup.Found(local);
        var tenantId = user.FindFirstValue("tid");
        var objectId = user.FindFirstValue("oid");
        if (string.IsNullOrEmpty(tenantId) || string.IsNullOrEmpty(objectId))
            return CallerLookup.Refuse("Token names no user", "The access token has no tid and oid claims, so it names no mailbox.");
        if (!IsScannedTenant(tenantId))
        {
            log.LogWarning("User {Tenant}/{Object} refused: the service does not scan that tenant", tenantId, objectId);
            return CallerLookup.Refuse("Tenant not served", "This service reads the mailboxes of another organisation; your account has no mailbox here.");
        }

        var mailboxId = await registry.FindByUserAsync(tenantId, objectId, ct);
        if (mailboxId is null)
        {
            // A configured mailbox may be this user's: ask the directory before anything is enrolled.
            if (!await configured.BindAsync(ct))
                return new CallerLookup.Answer(Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Directory unavailable", detail: "Your mailbox could not be looked up in the directory. Try again in a minute."));
            mailboxId = await registry.FindByUserAsync(tenantId, objectId, ct);
        }
        return mailboxId is null ? new CallerLookup.NotEnrolled(tenantId, objectId) : new CallerLookup.Found(mailboxId);
    }

    /// <summary>The Graph client reads one tenant's mailboxes; a user of any other tenant has nothing here.</summary>
    private bool IsScannedTenant(string tenantId) =>
        Guid.TryParse(tenantId, out var tid) && Guid.TryParse(graph.Value.TenantId, out var scanned) && tid == scanned;
}

/// <summary>A user's own mailbox, on their first call: registered (mailbox id = object id), scanned at once, then nightly.</summary>
public sealed class MailboxEnrolment(MailboxRegistry registry, MailboxScheduler scheduler, IEnumerable<IMailboxEnrolled> enrolled, ILogger<MailboxEnrolment> log)
{
    public async Task<CallerLookup> EnrolAsync(string tenantId, string objectId, CancellationToken ct)
    {
        switch (await registry.EnrolAsync(tenantId, objectId, objectId, ct))
        {
            case EnrolmentOutcome.Conflict:
                log.LogWarning("User {Tenant}/{Object}: mailbox id {Mailbox} is taken by another registration", tenantId, objectId, objectId);
                return CallerLookup.Refuse("Mailbox belongs to another user", "This mailbox is already registered for a different account.");
            case EnrolmentOutcome.Enrolled:
                log.LogInformation("Enrolled the mailbox of {Tenant}/{Object}", tenantId, objectId);
                foreach (var feature in enrolled) await feature.EnrolledAsync(objectId, ct);
                await scheduler.ScanNowAsync(objectId, ct: ct);
                break;
            case EnrolmentOutcome.AlreadyEnrolled:
                break; // the nightly run covers every registered mailbox
        }
        return new CallerLookup.Found(objectId);
    }
}
