using Microsoft.Extensions.Options;
using Quartz;

namespace MailRapport.Server.Scheduling;

/// <summary>The Quartz side of a mailbox: its job, its nightly trigger, scans on request, and removal.</summary>
public sealed class MailboxScheduler(ISchedulerFactory schedulers, IOptions<ScanScheduleOptions> options, MailboxRegistry registry, TimeProvider clock)
{
    public static JobKey JobFor(string mailboxId) => new(mailboxId, ScanJob.Group);
    public static TriggerKey NightlyFor(string mailboxId) => new(mailboxId, "nightly");

    private ValueTask<IScheduler> GetSchedulerAsync(CancellationToken ct) => schedulers.GetScheduler(ct);

    /// <summary>Creates (or updates, when the cron or zone changed) the mailbox's job and nightly trigger.</summary>
    public async Task ScheduleNightlyAsync(string mailboxId, CancellationToken ct = default)
    {
        var o = options.Value;
        var scheduler = await GetSchedulerAsync(ct);
        var job = JobBuilder.Create<ScanJob>()
            .WithIdentity(JobFor(mailboxId))
            .StoreDurably()
            .RequestRecovery() // a node killed mid-scan: another node runs the scan again
            .Build();
        var nightly = TriggerBuilder.Create()
            .WithIdentity(NightlyFor(mailboxId))
            .ForJob(job)
            // A missed night is caught up by the start-up check (SchedulingStartup), which knows whether a scan
            // already happened since; Quartz itself just moves on to the next night.
            .WithCronSchedule(o.NightlyCron, c => c.InTimeZone(o.ResolveTimeZone()).WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing))
            .Build();
        var existing = await scheduler.GetTrigger(nightly.Key, ct);
        if (existing is ICronTrigger cron && cron.CronExpressionString == o.NightlyCron && cron.TimeZone.Id == o.ResolveTimeZone().Id
            && await scheduler.Exists(job.Key, ct))
            return;
        await scheduler.ScheduleJob(job, nightly, new ScheduleJobOptions { Replace = true }, ct);
    }

    /// <summary>Asks for a scan now. With <paramref name="skipIfFinishedSince"/>, the run does nothing if a scan finished since then.</summary>
    public async Task ScanNowAsync(string mailboxId, DateTimeOffset? skipIfFinishedSince = null, CancellationToken ct = default)
    {
        await ScheduleNightlyAsync(mailboxId, ct);
        var scheduler = await GetSchedulerAsync(ct);
        var trigger = TriggerBuilder.Create()
            .WithIdentity(Guid.NewGuid().ToString("n"), "now")
            .ForJob(JobFor(mailboxId))
            .StartNow()
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow));
        if (skipIfFinishedSince is { } since)
            trigger = trigger.UsingJobData(ScanJob.SkipIfFinishedSince, since.ToUnixTimeMilliseconds());
        await registry.MarkRequestedAsync(mailboxId, ct);
        await scheduler.ScheduleJob(trigger.Build(), new ScheduleJobOptions(), ct);
    }

    public async Task<DateTimeOffset?> NextNightlyAsync(string mailboxId, CancellationToken ct = default)
    {
        var scheduler = await GetSchedulerAsync(ct);
        var trigger = await scheduler.GetTrigger(NightlyFor(mailboxId), ct);
        return trigger?.NextFireTimeUtc;
    }

    /// <summary>Whether a scan was asked for and has not started yet.</summary>
    public static bool IsQueued(MailboxStatus status) =>
        status.ScanRequestedAt is { } requested && (status.ScanStartedAt is not { } started || requested > started);

    /// <summary>Removes the mailbox's job and every trigger of it.</summary>
    public async Task RemoveAsync(string mailboxId, CancellationToken ct = default)
    {
        var scheduler = await GetSchedulerAsync(ct);
        await scheduler.DeleteJob(JobFor(mailboxId), ct);
    }

    /// <summary>The last time the nightly schedule fired (or should have) before <paramref name="now"/>, within a week.</summary>
    public DateTimeOffset? PreviousNight(DateTimeOffset now)
    {
        var o = options.Value;
        var cron = new CronExpression(o.NightlyCron, o.ResolveTimeZone());
        DateTimeOffset? previous = null;
        var t = cron.GetNextValidTimeAfter(now.AddDays(-8));
        for (int i = 0; i < 10_000 && t is { } at && at <= now; i++, t = cron.GetNextValidTimeAfter(at))
            previous = at;
        return previous;
    }

    public DateTimeOffset Now => clock.GetUtcNow();
}
