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
    public GraphServiceClient PerRequest => perRequest ??= factory.Create(new MailboxAuthentication(null, app, grants, services));

    /// <summary>A client bound to one mailbox's credentials, for requests that do not name it (/subscriptions, /me).</summary>
    public GraphServiceClient For(string mailboxId) => factory.Create(new MailboxAuthentication(mailboxId, app, grants, services));

    /// <summary>Whether the mailbox is read with its user's delegated permissions.</summary>
    public async Task<bool> IsDelegatedAsync(string mailboxId, CancellationToken ct = default) => await grants.GetAsync(mailboxId, ct) is not null;
}

/// <summary>Marks a request sent with a user's delegated token, for <see cref="DelegatedAccessHandler"/>.</summary>
internal sealed record DelegatedMailboxOption(string MailboxId) : IRequestOption
{
    public static readonly HttpRequestOptionsKey<IRequestOption> Key = new(typeof(DelegatedMailboxOption).FullName!);
}

/// <summary>Attaches the app's credentials or the mailbox user's delegated token, per request.</summary>
internal sealed class MailboxAuthentication(string? mailboxId, IAuthenticationProvider app, MailboxGrants grants, IServiceProvider services)
    : IAuthenticationProvider
{
    public async Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null,
        CancellationToken cancellationToken = default)
    {
        var mailbox = mailboxId ?? GraphThrottlingHandler.GateOf(request.URI);
        var grant = string.IsNullOrEmpty(mailbox) ? null : await grants.GetAsync(mailbox, cancellationToken);
        if (grant is null)
        {
            await app.AuthenticateRequestAsync(request, additionalAuthenticationContext, cancellationToken);
            return;
        }
        var tokens = services.GetService<DelegatedTokens>() ?? throw new PermanentScanFailureException(
            $"Mailbox {mailbox} is read with its user's delegated permissions, but this host runs with Graph:Mode = Application: set Graph:Mode = Delegated.");
        var token = await tokens.GetAccessTokenAsync(grant, cancellationToken);
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
        }
        return response;
    }
}
