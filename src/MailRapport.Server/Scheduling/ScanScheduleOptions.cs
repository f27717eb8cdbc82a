using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace MailRapport.Server.Scheduling;

/// <summary>When and how mailboxes are scanned. Bound from the "Scheduling" configuration section.</summary>
public sealed class ScanScheduleOptions : IValidatableObject
{
    public const string Section = "Scheduling";

    /// <summary>Local time of the nightly scan of every mailbox, "HH:mm".</summary>
    [Required]
    public string NightlyAt { get; set; } = "02:00";

    /// <summary>The Quartz-era setting: refused at start so a configured cron is not silently ignored.</summary>
    public string? NightlyCron { get; set; }

    /// <summary>Time zone <see cref="NightlyAt"/> is read in: an IANA id (Europe/Amsterdam) or a Windows id (W. Europe Standard Time).</summary>
    [Required]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Mailboxes an admin rolls out to: registered at start, before anyone signs in.</summary>
    public List<string> Mailboxes { get; set; } = [];

    /// <summary>This node's name on the dashboard; empty = Hangfire's default (host name + process id).</summary>
    public string? InstanceId { get; set; }

    /// <summary>How many scans run at once on this node (Hangfire workers).</summary>
    [Range(1, 256)]
    public int MaxConcurrentScans { get; set; } = 2;

    /// <summary>
    /// A running scan renews its lease on the mailbox this often divided by three; a lease not renewed for this long
    /// (its host died) may be taken over by another host.
    /// </summary>
    [Range(1, 3600)]
    public int ScanLeaseSeconds { get; set; } = 120;

    /// <summary>A scan job that finds its mailbox being scanned elsewhere runs again after this long.</summary>
    [Range(1, 3600)]
    public int BusyRetrySeconds { get; set; } = 30;

    /// <summary>
    /// PostgreSQL: a job whose host stopped renewing it (killed) is handed to another host after this long
    /// (Hangfire.PostgreSql's sliding invisibility timeout).
    /// </summary>
    [Range(1, 86_400)]
    public int InvisibilityTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// PostgreSQL: a Hangfire lock row older than this is taken for the leftover of a killed host and removed.
    /// Hangfire's own locks are held for moments, so a minute is ample (the package's default, 10 minutes,
    /// stalls the schedule that long after a crash).
    /// </summary>
    [Range(1, 3600)]
    public int LockTimeoutSeconds { get; set; } = 60;

    /// <summary>How often queued and delayed (retry) jobs are looked for.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>Attempts after the first for a scan that failed for a transient reason; permanent failures never retry.</summary>
    [Range(0, 20)]
    public int Retries { get; set; } = 5;

    public JobsDashboardOptions Dashboard { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TryParseTime(NightlyAt, out _))
            yield return new ValidationResult($"Scheduling:NightlyAt '{NightlyAt}' is not a time of day (HH:mm).", [nameof(NightlyAt)]);
        if (NightlyCron is not null)
            yield return new ValidationResult($"Scheduling:NightlyCron ('{NightlyCron}') is no longer read: set Scheduling:NightlyAt to the local time (HH:mm) instead.", [nameof(NightlyCron)]);
        if (!TryFindTimeZone(TimeZone, out _))
            yield return new ValidationResult($"Scheduling:TimeZone '{TimeZone}' is not a known time zone.", [nameof(TimeZone)]);
    }

    public TimeOnly ResolveNightlyAt() => TryParseTime(NightlyAt, out var t) ? t : new TimeOnly(2, 0);

    public TimeZoneInfo ResolveTimeZone() => TryFindTimeZone(TimeZone, out var tz) ? tz : TimeZoneInfo.Utc;

    private static bool TryParseTime(string value, out TimeOnly time) =>
        TimeOnly.TryParseExact(value, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    // The one zone resolver (TimeZones): FindSystemTimeZoneById knows no Windows ids under InvariantGlobalization.
    // Named zones only: Hangfire stores the zone's id and must find it again, which a fixed offset's made-up id is not.
    private static bool TryFindTimeZone(string id, out TimeZoneInfo tz)
    {
        var found = TimeZones.FindNamed(id);
        tz = found ?? TimeZoneInfo.Utc;
        return found is not null;
    }
}

/// <summary>Hangfire's dashboard. Bound from "Scheduling:Dashboard".</summary>
public sealed class JobsDashboardOptions
{
    /// <summary>Where the dashboard is served.</summary>
    public string Path { get; set; } = "/jobs";

    /// <summary>Entra mode only: the dashboard is off unless this is set (local mode always serves it on loopback).</summary>
    public bool Enabled { get; set; }

    /// <summary>Entra mode: the app role that opens the dashboard with its actions (trigger, retry, delete).</summary>
    public string AdminRole { get; set; } = "MailRapport.Admin";

    /// <summary>Entra mode: an optional app role that opens the dashboard read-only. Empty = nobody else.</summary>
    public string? ReaderRole { get; set; }
}
