using MailRapport.Server.Auth;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// At start: registers the configured mailboxes (and the local one), makes sure each registered mailbox has its
/// nightly trigger, and runs at once the scan of every mailbox that never finished one or missed the last night.
/// Several nodes may do this at once: a catch-up run skips itself when a scan finished since that night.
/// </summary>
public sealed class SchedulingStartup(
    MailboxRegistry registry,
    MailboxScheduler scheduler,
    IOptions<ScanScheduleOptions> options,
    IOptions<ServiceOptions> service,
    ILogger<SchedulingStartup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (service.Value.Mode == ServiceMode.Local)
            await registry.EnsureAsync(service.Value.LocalMailbox, MailboxOrigin.Local, ct);
        foreach (var configured in options.Value.Mailboxes.Select(m => m.Trim().ToLowerInvariant()).Where(m => m.Length > 0).Distinct())
            await registry.EnsureAsync(configured, MailboxOrigin.Configured, ct);

        var previousNight = scheduler.PreviousNight(scheduler.Now);
        foreach (var mailbox in await registry.ListAsync(ct))
        {
            await scheduler.ScheduleNightlyAsync(mailbox.MailboxId, ct);
            if (mailbox.ScanFinishedAt is null)
            {
                log.LogInformation("Mailbox {Mailbox} was never scanned: scanning now", mailbox.MailboxId);
                await scheduler.ScanNowAsync(mailbox.MailboxId, skipIfFinishedSince: mailbox.EnrolledAt, ct: ct);
            }
            else if (previousNight is { } night && mailbox.ScanFinishedAt < night)
            {
                log.LogInformation("Mailbox {Mailbox} missed the scan of {Night}: catching up now", mailbox.MailboxId, night);
                await scheduler.ScanNowAsync(mailbox.MailboxId, skipIfFinishedSince: night, ct: ct);
            }
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
