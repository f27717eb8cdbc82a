using System.ComponentModel.DataAnnotations;

namespace MailRapport.Server.Scheduling;

/// <summary>When mailboxes are scanned. Bound from the "Scheduling" configuration section.</summary>
public sealed class ScanScheduleOptions : IValidatableObject
{
    public const string Section = "Scheduling";

    /// <summary>Quartz cron expression (seconds first) for the nightly scan of every mailbox.</summary>
    [Required]
    public string NightlyCron { get; set; } = "0 0 2 * * ?";

    /// <summary>Time zone the cron expression is read in (IANA id, e.g. Europe/Amsterdam).</summary>
    [Required]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Mailboxes an admin rolls out to: registered and scheduled at start, before anyone signs in.</summary>
    public List<string> Mailboxes { get; set; } = [];

    /// <summary>This node's Quartz instance id; empty = generated (host name + time), which clustering needs unique.</summary>
    public string? InstanceId { get; set; }

    /// <summary>Run the scheduler at all (off for CLI-only hosts and some tests).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often a clustered node checks in; a node silent for longer than this (plus a margin) is presumed dead and its jobs recovered.</summary>
    [Range(1, 3600)]
    public int ClusterCheckinSeconds { get; set; } = 15;

    [Range(1, 3600)]
    public int MisfireThresholdSeconds { get; set; } = 60;

    /// <summary>How many scans run at once on this node.</summary>
    [Range(1, 64)]
    public int MaxConcurrentScans { get; set; } = 2;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Quartz.CronExpression.TryParse(NightlyCron, out _))
            yield return new ValidationResult($"Scheduling:NightlyCron '{NightlyCron}' is not a valid Quartz cron expression.", [nameof(NightlyCron)]);
        if (!TryFindTimeZone(TimeZone, out _))
            yield return new ValidationResult($"Scheduling:TimeZone '{TimeZone}' is not a known time zone.", [nameof(TimeZone)]);
    }

    public TimeZoneInfo ResolveTimeZone() => TryFindTimeZone(TimeZone, out var tz) ? tz : TimeZoneInfo.Utc;

    private static bool TryFindTimeZone(string id, out TimeZoneInfo tz)
    {
        try { tz = TimeZoneInfo.FindSystemTimeZoneById(id); return true; }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { tz = TimeZoneInfo.Utc; return false; }
    }
}
