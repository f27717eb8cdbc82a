using System.ComponentModel.DataAnnotations;

namespace MailRapport.Server.Notifications;

/// <summary>
/// Graph change notifications. Bound from "Graph:Notifications". Off unless <see cref="PublicUrl"/> is set: Graph must
/// reach the service at that address (HTTPS) to validate and deliver, which a service behind no public name cannot offer.
/// </summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string Section = "Graph:Notifications";

    /// <summary>Graph's longest subscription to Outlook messages and events without resource data: 10,080 minutes (under 7 days).</summary>
    public const int GraphMaxLifetimeMinutes = 10_080;

    public const string NotificationPath = "/graph/notifications";
    public const string LifecyclePath = "/graph/notifications/lifecycle";

    /// <summary>The service's public base address as Graph reaches it (https://mailrapport.example.com). Empty: no subscriptions.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Notifications for a mailbox within this many seconds of the first make one scan, which starts after it (plus up to
    /// Scheduling:PollSeconds, the job storage's polling). 0 queues the scan at once.
    /// </summary>
    [Range(0, 600)]
    public int DebounceSeconds { get; set; } = 2;

    /// <summary>How long a subscription is asked for (and renewed for), below Graph's maximum so a clock a little ahead is not refused.</summary>
    [Range(45, GraphMaxLifetimeMinutes)]
    public int LifetimeMinutes { get; set; } = 10_000;

    /// <summary>A subscription expiring within this many minutes is renewed by the maintenance run.</summary>
    [Range(5, GraphMaxLifetimeMinutes)]
    public int RenewBeforeMinutes { get; set; } = 24 * 60;

    /// <summary>How often the maintenance run (renew, create what is missing, delete erased mailboxes' subscriptions) runs, in minutes.</summary>
    [Range(1, 59)]
    public int MaintainEveryMinutes { get; set; } = 15;

    /// <summary>Largest notification body accepted; Graph batches notifications, each well under 2 KB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>A claim on a subscription row (one host creating or renewing it) lapses after this many seconds.</summary>
    [Range(10, 3600)]
    public int ClaimSeconds { get; set; } = 120;

    public bool Enabled => !string.IsNullOrWhiteSpace(PublicUrl);

    public string NotificationUrl => PublicUrl!.TrimEnd('/') + NotificationPath;
    public string LifecycleUrl => PublicUrl!.TrimEnd('/') + LifecyclePath;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            yield return new ValidationResult($"Graph:Notifications:PublicUrl '{PublicUrl}' must be an absolute https URL.", [nameof(PublicUrl)]);
        else if (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)
            yield return new ValidationResult("Graph:Notifications:PublicUrl must use https (Graph delivers only to HTTPS); http is allowed for a loopback test address only.", [nameof(PublicUrl)]);
        else if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            yield return new ValidationResult("Graph:Notifications:PublicUrl must have no query or fragment.", [nameof(PublicUrl)]);
        if (RenewBeforeMinutes >= LifetimeMinutes)
            yield return new ValidationResult("Graph:Notifications:RenewBeforeMinutes must be below LifetimeMinutes, or every run renews everything.", [nameof(RenewBeforeMinutes)]);
    }
}
