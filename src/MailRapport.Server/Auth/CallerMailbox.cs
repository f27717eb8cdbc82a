using System.Security.Claims;
using MailRapport.Core;
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

/// <summary>Finds the caller's mailbox, enrolling it on a user's first call (registered, scanned at once, then nightly).</summary>
public sealed class CallerMailboxResolver(
    IOptions<ServiceOptions> service,
    MailboxRegistry registry,
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

        var mailboxId = await registry.FindByUserAsync(tenantId, objectId, ct);
        bool enrolled = false;
        if (mailboxId is null)
        {
            var address = EmailAddress.Normalize(user.FindFirstValue("preferred_username") ?? user.FindFirstValue("upn"));
            if (address is null)
                return Refuse("Token names no mailbox", "The access token has no preferred_username or upn claim holding a mail address.");
            // Nothing is stored for a user who is not enrolled: erasing must neither enrol them nor touch the
            // address's data, which may belong to someone else.
            if (HttpMethods.IsDelete(http.Request.Method))
                return new CallerMailbox(address, false, Results.NoContent());
            switch (await registry.EnrolAsync(tenantId, objectId, address, ct))
            {
                case EnrolmentOutcome.Conflict:
                    log.LogWarning("User {Tenant}/{Object} asked for mailbox {Mailbox}, which belongs to another user", tenantId, objectId, address);
                    return Refuse("Mailbox belongs to another user", "This mailbox is already enrolled for a different account.");
                case EnrolmentOutcome.Enrolled:
                    log.LogInformation("Enrolled mailbox {Mailbox} for {Tenant}/{Object}", address, tenantId, objectId);
                    await scheduler.ScanNowAsync(address, ct: ct);
                    enrolled = true;
                    break;
                case EnrolmentOutcome.AlreadyEnrolled:
                    break; // the nightly run covers every registered mailbox
            }
            mailboxId = address;
        }
        return new CallerMailbox(mailboxId, enrolled);
    }

    private static CallerMailbox Refuse(string title, string detail) =>
        new("", false, Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail));
}
