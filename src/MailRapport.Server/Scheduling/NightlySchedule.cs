using Microsoft.Extensions.Options;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// The nightly time in its time zone, as instants. Hangfire fires the recurring job; this answers "when was the
/// last night" (the catch-up at start) and "when is the next" (/api/me) from the service's own clock.
/// A night in a spring-forward gap happens when the clocks jump; in a fall-back overlap, at the first of the two.
/// </summary>
public sealed class NightlySchedule(IOptions<ScanScheduleOptions> options, TimeProvider clock)
{
    public DateTimeOffset Now => clock.GetUtcNow();

    public DateTimeOffset Next(DateTimeOffset after)
    {
        var zone = options.Value.ResolveTimeZone();
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, zone).DateTime).AddDays(-1);
        for (; ; day = day.AddDays(1))
            if (On(day, zone) is var at && at > after) return at;
    }

    public DateTimeOffset Previous(DateTimeOffset atOrBefore)
    {
        var zone = options.Value.ResolveTimeZone();
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(atOrBefore, zone).DateTime).AddDays(1);
        for (; ; day = day.AddDays(-1))
            if (On(day, zone) is var at && at <= atOrBefore) return at;
    }

    /// <summary>The instant of the nightly time on one local date.</summary>
    internal DateTimeOffset On(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(options.Value.ResolveNightlyAt(), DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // In the gap: the first local minute that exists, i.e. the moment the clocks jump.
            do local = local.AddMinutes(1); while (zone.IsInvalidTime(local));
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>The recurring job's cron expression (minute hour, daily), read by Hangfire in <see cref="ScanScheduleOptions.TimeZone"/>.</summary>
    public string Cron => Hangfire.Cron.Daily(options.Value.ResolveNightlyAt().Hour, options.Value.ResolveNightlyAt().Minute);

    public TimeZoneInfo Zone => options.Value.ResolveTimeZone();
}
