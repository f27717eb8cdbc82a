using System.Security.Claims;
using MailRapport.Core;
using MailRapport.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Auth;

/// <summary>
/// The mailbox the signed-in caller may see, taken from the token (tenant id + object id), never from the request.
/// Bound as an endpoint parameter once <see cref="CallerMailboxFilter"/> has resolved it.
/// </summary>
public sealed record CallerMailbox(string MailboxId, bool JustEnrolled)
{
    private const string ItemKey = "MailRapport.CallerMailbox";

    internal void Attach(HttpContext http) => http.Items[ItemKey] = this;

    public static ValueTask<CallerMailbox?> BindAsync(HttpContext http) =>
        ValueTask.FromResult<CallerMailbox?>(http.Items[ItemKey] as CallerMailbox
            ?? throw new InvalidOperationException("CallerMailboxFilter must run before an endpoint asks for the caller's mailbox."));
}

/// <summary>Resolves the caller's mailbox for every API endpoint, enrolling the mailbox on a user's first call.</summary>
public sealed class CallerMailboxFilter(
    IOptions<ServiceOptions> service,
    MailboxRegistry registry,
    MailboxScheduler scheduler,
    ILogger<CallerMailboxFilter> log) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var ct = http.RequestAborted;
        if (service.Value.Mode == ServiceMode.Local)
        {
            new CallerMailbox(service.Value.LocalMailbox, false).Attach(http);
            return await next(context);
        }
        var user = http.User;
        var tenantId = user.FindFirstValue("tid");
        var objectId = user.FindFirstValue("oid");
        if (string.IsNullOrEmpty(tenantId) || string.IsNullOrEmpty(objectId))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Token names no user",
                detail: "The access token has no tid and oid claims, so it names no mailbox.");

        var mailboxId = await registry.FindByUserAsync(tenantId, objectId, ct);
        bool enrolled = false;
        if (mailboxId is null)
        {
            var address = EmailAddress.Normalize(user.FindFirstValue("preferred_username") ?? user.FindFirstValue("upn"));
            if (address is null)
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Token names no mailbox",
                    detail: "The access token has no preferred_username or upn claim holding a mail address.");
            // Nothing is stored for a user who is not enrolled: erasing must neither enrol them nor touch the
            // address's data, which may belong to someone else.
            if (HttpMethods.IsDelete(http.Request.Method))
                return Results.NoContent();
            switch (await registry.EnrolAsync(tenantId, objectId, address, ct))
            {
                case EnrolmentOutcome.Conflict:
                    log.LogWarning("User {Tenant}/{Object} asked for mailbox {Mailbox}, which belongs to another user", tenantId, objectId, address);
                    return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Mailbox belongs to another user",
                        detail: "This mailbox is already enrolled for a different account.");
                case EnrolmentOutcome.Enrolled:
                    log.LogInformation("Enrolled mailbox {Mailbox} for {Tenant}/{Object}", address, tenantId, objectId);
                    await scheduler.ScanNowAsync(address, ct: ct);
                    enrolled = true;
                    break;
                case EnrolmentOutcome.AlreadyEnrolled:
                    await scheduler.ScheduleNightlyAsync(address, ct);
                    break;
            }
            mailboxId = address;
        }
        new CallerMailbox(mailboxId, enrolled).Attach(http);
        return await next(context);
    }
}
