using MailRapport.Server.Delegated;
using MailRapport.Server.Scheduling;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace MailRapport.Server.Graph;

/// <summary>
/// The Graph client for a mailbox: the app's (application permissions) unless the mailbox has a delegated grant
/// (<see cref="MailboxGrants"/>), then its user's token from the long-running on-behalf-of session. All clients share
/// one HTTP pipeline (<see cref="MailGraphClientFactory"/>), so throttling and request counts stay per mailbox.
/// </summary>
public sealed class GraphClients(MailGraphClientFactory factory, IOptions<GraphOptions> options, MailboxGrants grants, IServiceProvider services)
{
    private readonly IAuthenticationProvider app = MailGraphClientFactory.CreateAuthentication(options.Value);
    private GraphServiceClient? perRequest;

    /// <summary>
    /// One client for code that names its mailbox in every request (the scanner's /users/{id}/..., the directory): the
    /// mailbox of each request (the scan's <see cref="GraphThrottlingHandler.ForMailbox"/> scope, else the /users/{id}
    /// segment) decides its credentials.
    /// </summary>
    public GraphServiceClient PerRequest => perRequest ??= factory.Create(new MailboxAuthentication(null, app, grants.GetAsync, services));

    /// <summary>A client bound to one mailbox's credentials, for requests that do not name it (/subscriptions, /me).</summary>
    public GraphServiceClient For(string mailboxId) => factory.Create(new MailboxAuthentication(mailboxId, app, grants.GetAsync, services));

    /// <summary>Whether the mailbox is read with its user's delegated permissions.</summary>
    public async Task<bool> IsDelegatedAsync(string mailboxId, CancellationToken ct = default) => await grants.GetAsync(mailboxId, ct) is not null;
}

/// <summary>Marks a request sent with a user's delegated token, for <see cref="DelegatedAccessHandler"/>.</summary>
internal sealed record DelegatedMailboxOption(string MailboxId) : IRequestOption
{
    public static readonly HttpRequestOptionsKey<IRequestOption> Key = new(typeof(DelegatedMailboxOption).FullName!);
}

/// <summary>Reads a mailbox's grant (<see cref="MailboxGrants.GetAsync"/>; tests count the reads).</summary>
internal delegate Task<MailboxGrant?> GrantLookup(string mailboxId, CancellationToken ct);

/// <summary>
/// Attaches the app's credentials or the mailbox user's delegated token, per request. Inside a mailbox's scope (a scan,
/// a subscription call: <see cref="GraphThrottlingHandler.ForMailbox"/>) the grant is read once for all its requests;
/// a refusal (Graph's 401/403, the token endpoint's) drops it, so the next request reads the grant again and stops.
/// </summary>
internal sealed class MailboxAuthentication(string? mailboxId, IAuthenticationProvider app, GrantLookup grants, IServiceProvider services)
    : IAuthenticationProvider
{
    public async Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null,
        CancellationToken cancellationToken = default)
    {
        var mailbox = mailboxId ?? GraphThrottlingHandler.GateOf(request.URI);
        var scope = GraphThrottlingHandler.CurrentScope;
        if (scope is not null && scope.MailboxId != Core.MailboxId.Normalize(mailbox)) scope = null; // a request for another mailbox
        var grant = string.IsNullOrEmpty(mailbox) ? null
            : scope is not null ? await scope.GrantAsync(grants, cancellationToken)
            : await grants(mailbox, cancellationToken);
        if (grant is null)
        {
            await app.AuthenticateRequestAsync(request, additionalAuthenticationContext, cancellationToken);
            return;
        }
        var tokens = services.GetService<DelegatedTokens>() ?? throw new PermanentScanFailureException(
            $"Mailbox {mailbox} is read with its user's delegated permissions, but this host runs with Graph:Mode = Application: set Graph:Mode = Delegated.");
        string token;
        try
        {
            token = await tokens.GetAccessTokenAsync(grant, cancellationToken);
        }
        catch (PermanentScanFailureException)
        {
            scope?.ForgetGrant(); // marked as needing sign-in: the scope's next request reads that and stops at once
            throw;
        }
        request.Headers.Remove("Authorization");
        request.Headers.Add("Authorization", "Bearer " + token);
        request.AddRequestOptions([new DelegatedMailboxOption(grant.MailboxId)]);
    }
}

/// <summary>
/// Graph refused a user's delegated token (401/403): the consent was revoked or no longer covers the mailbox. The
/// mailbox then needs its user to sign in again; its scans stop until then (<see cref="ScanRunner"/>).
/// </summary>
public sealed class DelegatedAccessHandler(MailboxGrants grants, ILogger<DelegatedAccessHandler> log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
            && request.Options.TryGetValue(DelegatedMailboxOption.Key, out var option) && option is DelegatedMailboxOption delegated)
        {
            var reason = $"Microsoft Graph refused the user's delegated access (HTTP {(int)response.StatusCode}): the consent was revoked or no longer covers this mailbox.";
            if (await grants.MarkNeedsSignInAsync(delegated.MailboxId, reason, CancellationToken.None))
                log.LogWarning("Mailbox {Mailbox} needs its user to sign in again: {Reason}", delegated.MailboxId, reason);
            GraphThrottlingHandler.CurrentScope?.ForgetGrant(); // the scope's next request reads the grant again and stops

        }
        return response;
    }
}

/// <summary>
/// One mailbox's scope of requests (a scan, a subscription call): its id (the throttling gate) and its grant, read on
/// the first request and kept for the others, so a scan of 118 requests reads the grant row once. Shared by the scope's
/// concurrent requests: the first one reads, the others wait for that read. A failed read is not kept.
/// </summary>
internal sealed class MailboxScope(string mailboxId)
{
    private Task<MailboxGrant?>? grant;

    public string MailboxId { get; } = mailboxId;

    public async Task<MailboxGrant?> GrantAsync(GrantLookup read, CancellationToken ct)
    {
        var mine = new TaskCompletionSource<MailboxGrant?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref grant, mine.Task, null) is { } existing) return await existing;
        try
        {
            mine.SetResult(await read(MailboxId, ct));
        }
        catch (Exception e)
        {
            _ = Interlocked.CompareExchange(ref grant, null, mine.Task);
            mine.SetException(e);
        }
        return await mine.Task;
    }

    /// <summary>The grant changed (a refusal marked it as needing sign-in): the next request reads it again.</summary>
    public void ForgetGrant() => Volatile.Write(ref grant, null);
}
