using System.ComponentModel.DataAnnotations;

namespace MailRapport.Server.Graph;

/// <summary>How the mailboxes of signed-in users are read (Graph:Mode).</summary>
public enum GraphMode
{
    /// <summary>By the app, with application permissions (Mail.ReadBasic.All, Calendars.ReadBasic.All) an administrator granted.</summary>
    Application,
    /// <summary>
    /// As the user: a signed-in caller's token is exchanged on their behalf (OAuth 2.0 on-behalf-of) for Mail.ReadBasic,
    /// Calendars.ReadBasic and offline_access, kept to scan at night. Admin-configured mailboxes are still read by the app.
    /// </summary>
    Delegated,
}

/// <summary>How MailRapport reaches Microsoft Graph. Bound from the "Graph" configuration section.</summary>
public sealed class GraphOptions : IValidatableObject
{
    public const string Section = "Graph";
    public const string DefaultBaseUrl = "https://graph.microsoft.com/v1.0";

    /// <summary>Graph root including the version segment. Tests and local runs point it at a loopback server.</summary>
    [Required, Url]
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>How enrolled users' mailboxes are read; a mailbox keeps the way it was first read (its grant, Delegated/MailboxGrants).</summary>
    public GraphMode Mode { get; set; } = GraphMode.Application;

    /// <summary>The Entra authority host the on-behalf-of exchange talks to (delegated mode).</summary>
    [Required, Url]
    public string Instance { get; set; } = "https://login.microsoftonline.com/";

    /// <summary>Entra tenant (directory) id or domain. Not needed for a loopback base URL.</summary>
    public string? TenantId { get; set; }

    /// <summary>Application (client) id of the app registration.</summary>
    public string? ClientId { get; set; }

    /// <summary>Client secret; set this or <see cref="CertificatePath"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>PFX/PEM file holding the certificate and its private key.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Prefer: odata.maxpagesize for delta pages.</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 500;

    /// <summary>
    /// Delta pages are committed together until they hold this many items (or the round ends): fewer, larger
    /// transactions rewrite each index page less often. A killed scan fetches the uncommitted pages again.
    /// </summary>
    [Range(1, 10_000)]
    public int ItemsPerCommit { get; set; } = 2_000;

    /// <summary>Requests in flight at once for one mailbox (Exchange allows 4 concurrent requests per mailbox per app).</summary>
    [Range(1, 4)]
    public int MaxConcurrentRequestsPerMailbox { get; set; } = 4;

    /// <summary>Retries of one request after 429/503/504, dropped connections or unreadable responses.</summary>
    [Range(0, 50)]
    public int MaxRetries { get; set; } = 8;

    /// <summary>First backoff when the server sends no Retry-After; doubles per attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound of our own backoff. A server's Retry-After is always honoured, even above this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Calendar window start, in days before today.</summary>
    [Range(0, 36500)]
    public int CalendarDaysBack { get; set; } = 3 * 365;

    /// <summary>Calendar window end, in days after today.</summary>
    [Range(0, 3650)]
    public int CalendarDaysAhead { get; set; } = 90;

    /// <summary>
    /// Also select internetMessageHeaders (List-Id, List-Unsubscribe, Precedence, Auto-Submitted) for bulk detection.
    /// Allowed under Mail.ReadBasic.All; costs payload size.
    /// </summary>
    public bool ReadInternetMessageHeaders { get; set; } = true;

    /// <summary>Well-known folders (and their subfolders) that hold no real correspondence.</summary>
    public string[] ExcludedWellKnownFolders { get; set; } =
        ["deleteditems", "junkemail", "drafts", "outbox", "syncissues", "conversationhistory"];

    /// <summary>True when the base URL is on this machine: no credentials are needed or sent.</summary>
    public bool IsLoopback => Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) && uri.IsLoopback;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult("Graph:BaseUrl must be an absolute http(s) URL.", [nameof(BaseUrl)]);
            yield break;
        }
        // The on-behalf-of exchange is a confidential client's, whatever Graph's address: it needs the app's identity and credential.
        if (Mode == GraphMode.Delegated)
        {
            if (string.IsNullOrWhiteSpace(TenantId))
                yield return new ValidationResult("Graph:TenantId is required when Graph:Mode is Delegated.", [nameof(TenantId)]);
            if (string.IsNullOrWhiteSpace(ClientId))
                yield return new ValidationResult("Graph:ClientId is required when Graph:Mode is Delegated (the on-behalf-of exchange is the app's).", [nameof(ClientId)]);
            if (string.IsNullOrWhiteSpace(ClientSecret) == string.IsNullOrWhiteSpace(CertificatePath))
                yield return new ValidationResult("Set exactly one of Graph:ClientSecret or Graph:CertificatePath when Graph:Mode is Delegated.", [nameof(ClientSecret), nameof(CertificatePath)]);
            if (!Uri.TryCreate(Instance, UriKind.Absolute, out var instance) || instance.Scheme != Uri.UriSchemeHttps)
                yield return new ValidationResult("Graph:Instance must be an absolute https URL (the Entra authority host).", [nameof(Instance)]);
            if (!uri.IsLoopback && uri.Scheme != Uri.UriSchemeHttps)
                yield return new ValidationResult("Graph:BaseUrl must use https unless it is a loopback address.", [nameof(BaseUrl)]);
            yield break;
        }
        if (uri.IsLoopback) yield break;
        if (uri.Scheme != Uri.UriSchemeHttps)
            yield return new ValidationResult("Graph:BaseUrl must use https unless it is a loopback address.", [nameof(BaseUrl)]);
        if (string.IsNullOrWhiteSpace(TenantId))
            yield return new ValidationResult("Graph:TenantId is required for a non-loopback Graph:BaseUrl.", [nameof(TenantId)]);
        if (string.IsNullOrWhiteSpace(ClientId))
            yield return new ValidationResult("Graph:ClientId is required for a non-loopback Graph:BaseUrl.", [nameof(ClientId)]);
        bool secret = !string.IsNullOrWhiteSpace(ClientSecret), cert = !string.IsNullOrWhiteSpace(CertificatePath);
        if (secret == cert)
            yield return new ValidationResult("Set exactly one of Graph:ClientSecret or Graph:CertificatePath.", [nameof(ClientSecret), nameof(CertificatePath)]);
    }

    /// <summary>
    /// The delegated permissions asked for on the user's behalf (offline_access is added by MSAL). User.Read: the
    /// scan of a mailbox named by object id reads its owner's addresses (GET /users/{id}), which is the user themself.
    /// </summary>
    public string[] DelegatedScopes => [$"{GraphResource}/Mail.ReadBasic", $"{GraphResource}/Calendars.ReadBasic", $"{GraphResource}/User.Read"];

    /// <summary>Graph's resource URI for scopes: the real host's, even when a loopback stand-in serves the requests.</summary>
    public string GraphResource => IsLoopback ? "https://graph.microsoft.com" : new Uri(BaseUrl).GetLeftPart(UriPartial.Authority);

    /// <summary>Validates outside the options pipeline: the client factory checks whatever options it is given (benchmarks build them by hand).</summary>
    public void ThrowIfInvalid()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
            throw new InvalidOperationException(string.Join(" ", results.Select(r => r.ErrorMessage)));
    }
}
