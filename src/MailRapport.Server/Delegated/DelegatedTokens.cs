using System.Security.Claims;
using MailRapport.Server.Graph;
using MailRapport.Server.Scheduling;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Microsoft.Identity.Web;

namespace MailRapport.Server.Delegated;

/// <summary>
/// The long-running on-behalf-of session of each delegated mailbox, through Microsoft.Identity.Web: the caller's token
/// starts it (<see cref="StartAsync"/>, session key = mailbox id), and scans at night take tokens from it without the
/// user (<see cref="GetAccessTokenAsync"/>; MSAL uses the cached refresh token). The MSAL cache lives in the grant row,
/// encrypted (<see cref="GrantTokenCache"/>). A refused grant marks the mailbox as needing sign-in.
/// </summary>
public sealed class DelegatedTokens(ITokenAcquisition acquisition, IOptions<GraphOptions> graph, MailboxGrants grants, ILogger<DelegatedTokens> log)
{
    /// <summary>The name Identity.Web's options for the on-behalf-of app are registered under.</summary>
    public const string Scheme = "MailRapportGraph";

    /// <summary>
    /// Exchanges the caller's access token for the mailbox's delegated permissions and keeps the session. Null when it
    /// worked; otherwise why the user must sign in (consent missing or refused). Other failures (network) throw.
    /// </summary>
    public async Task<string?> StartAsync(string mailboxId, string tenantId, string objectId, string userToken, CancellationToken ct)
    {
        // A new session replaces the old one: a revoked refresh token must not answer for the fresh assertion.
        await grants.WriteTokenCacheAsync(mailboxId, null, ct);
        var user = User(tenantId, objectId);
        ((ClaimsIdentity)user.Identity!).BootstrapContext = userToken;
        try
        {
            await acquisition.GetAuthenticationResultForUserAsync(graph.Value.DelegatedScopes, Scheme, tenantId, null, user,
                new TokenAcquisitionOptions { LongRunningWebApiSessionKey = mailboxId, CancellationToken = ct });
            return null;
        }
        catch (Exception e) when (SignInNeeded(e) is { } reason)
        {
            log.LogWarning("On-behalf-of exchange for mailbox {Mailbox} refused: {Reason}", mailboxId, reason);
            return reason;
        }
    }

    /// <summary>An access token for the mailbox's user, from the stored session (refreshed as needed), without the user present.</summary>
    /// <exception cref="PermanentScanFailureException">The mailbox needs its user to sign in again (now marked so).</exception>
    public async Task<string> GetAccessTokenAsync(MailboxGrant grant, CancellationToken ct)
    {
        if (grant.NeedsSignIn)
            throw new PermanentScanFailureException(NeedsSignInMessage(grant.MailboxId, grant.Reason));
        try
        {
            var result = await acquisition.GetAuthenticationResultForUserAsync(graph.Value.DelegatedScopes, Scheme, grant.TenantId, null,
                User(grant.TenantId, grant.ObjectId), new TokenAcquisitionOptions { LongRunningWebApiSessionKey = grant.MailboxId, CancellationToken = ct });
            return result.AccessToken;
        }
        catch (Exception e) when (SignInNeeded(e) is { } reason)
        {
            if (await grants.MarkNeedsSignInAsync(grant.MailboxId, reason, CancellationToken.None))
                log.LogWarning("Mailbox {Mailbox} needs its user to sign in again: {Reason}", grant.MailboxId, reason);
            throw new PermanentScanFailureException(NeedsSignInMessage(grant.MailboxId, reason), e);
        }
    }

    public static string NeedsSignInMessage(string mailboxId, string? reason) =>
        $"Mailbox {mailboxId} needs its user to sign in again before it can be scanned ({reason ?? "the delegated grant is no longer valid"}).";

    /// <summary>The user as Identity.Web needs them: tenant and object id (no bootstrap token: the session key finds the grant).</summary>
    private static ClaimsPrincipal User(string tenantId, string objectId) =>
        new(new ClaimsIdentity([new Claim("tid", tenantId), new Claim("oid", objectId)], "delegated-grant"));

    /// <summary>
    /// Why the user must sign in again, when the token endpoint said so: invalid_grant (revoked, expired, password
    /// changed), interaction_required / consent_required (consent missing or withdrawn), or no stored session. Null for
    /// anything another attempt may fix.
    /// </summary>
    internal static string? SignInNeeded(Exception e) => e switch
    {
        MicrosoftIdentityWebChallengeUserException { MsalUiRequiredException: { } ui } => Describe(ui),
        MsalUiRequiredException ui => Describe(ui),
        MsalServiceException s when s.ErrorCode is "invalid_grant" or "interaction_required" or "consent_required" or "login_required" => Describe(s),
        MsalClientException { ErrorCode: MsalError.OboCacheKeyNotInCacheError } => "no delegated session is stored for this mailbox",
        _ => null,
    };

    private static string Describe(MsalException e) => $"{e.ErrorCode}: {e.Message.Split('\n', 2)[0].Trim()}";
}
