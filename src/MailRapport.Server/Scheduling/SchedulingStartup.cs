using MailRapport.Core;
using Hangfire;
using MailRapport.Server.Auth;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// At start: registers the configured mailboxes (and the local one), sets the one nightly recurring job, and queues
/// at once the scan of every mailbox that never finished one or missed the last night (the store, not the job
/// storage, says what happened: see docs/decisions/005). Several nodes may do this at once: queueing is atomic,
/// and a catch-up run skips itself when a scan finished since that night.
/// </summary>
public sealed class SchedulingStartup(
    MailboxRegistry registry,
    MailboxScheduler scheduler,
    NightlySchedule nightly,
    IRecurringJobManager recurring,
    SchedulerIdentity identity,
    IOptions<ScanScheduleOptions> options,
    HostMode mode,
    ILogger<SchedulingStartup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (mode.LocalMailbox is { } local)
            await registry.EnsureAsync(local, MailboxOrigin.Local, ct);
        foreach (var configured in options.Value.Mailboxes.Select(MailboxId.Normalize).Where(m => m.Length > 0).Distinct())
            await registry.EnsureAsync(configured, MailboxOrigin.Configured, ct);

        recurring.AddOrUpdate<ScanJob>(ScanJob.NightlyJobId, j => j.DispatchNightAsync(CancellationToken.None), nightly.Cron,
            new RecurringJobOptions { TimeZone = nightly.Zone });

        // A job storage that keeps nothing (local mode) lost every queued and running scan with the last process:
        // queue them again, so an interrupted scan resumes.
        if (!identity.PersistentJobs)
            foreach (var leftover in await registry.ResetLeftoversAsync(ct))
            {
                log.LogInformation("Mailbox {Mailbox} had a scan queued or running when the service stopped: queueing it again", leftover);
                await scheduler.ScanNowAsync(leftover, ct: ct);
            }

        var night = nightly.Previous(nightly.Now);
        foreach (var mailbox in await registry.ListAsync(ct))
        {
            // Queued, or running (a dead host's job is handed to another host by the job storage): nothing to add.
            if (mailbox.ScanQueued || mailbox.ScanRunning) continue;
            if (mailbox.ScanFinishedAt is null)
            {
                if (await scheduler.ScanNowAsync(mailbox.MailboxId, skipIfFinishedSince: mailbox.EnrolledAt, ct: ct))
                    log.LogInformation("Mailbox {Mailbox} was never scanned: scanning now", mailbox.MailboxId);
            }
            else if (mailbox.ScanFinishedAt < night)
            {
                if (await scheduler.ScanNowAsync(mailbox.MailboxId, skipIfFinishedSince: night, ct: ct))
                    log.LogInformation("Mailbox {Mailbox} missed the scan of {Night}: catching up now", mailbox.MailboxId, night);
            }
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
