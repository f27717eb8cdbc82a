using Azure.Identity;
using Microsoft.Kiota.Abstractions;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// A scan failure that another attempt cannot fix (consent missing, mailbox gone): the job fails without retries
/// and /api/me shows the reason. Everything else (Graph retries exhausted, the database briefly gone) is transient.
/// </summary>
public sealed class PermanentScanFailureException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Wraps <paramref name="e"/> when it is permanent; null when another attempt may succeed.</summary>
    public static PermanentScanFailureException? From(string mailboxId, Exception e) => e switch
    {
        PermanentScanFailureException p => p,
        ApiException { ResponseStatusCode: 401 or 403 } =>
            new($"Microsoft Graph refused access to {mailboxId} (HTTP {((ApiException)e).ResponseStatusCode}): an administrator has not granted " +
                "the app its permissions in this tenant (admin consent), or the mailbox is excluded by an access policy.", e),
        ApiException { ResponseStatusCode: 404 } =>
            new($"Microsoft Graph does not know the mailbox {mailboxId} (HTTP 404): the user was deleted, renamed or has no Exchange Online mailbox.", e),
        AuthenticationFailedException a when a.Message.Contains("AADSTS65001", StringComparison.Ordinal)
                                           || a.Message.Contains("AADSTS700016", StringComparison.Ordinal)
                                           || a.Message.Contains("AADSTS90002", StringComparison.Ordinal) =>
            new($"Sign-in for the Graph scan of {mailboxId} failed: the app is not consented to or not present in the tenant ({FirstLine(a.Message)}).", e),
        _ => null,
    };

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
}
