using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// The Hangfire jobs, kept thin: a scan of one mailbox (all the work is in <see cref="ScanRunner"/>) and the
/// nightly dispatch that queues one scan per mailbox (<see cref="MailboxScheduler"/>).
/// </summary>
public sealed class ScanJob(ScanRunner runner, MailboxScheduler scheduler, IBackgroundJobClient jobs, IOptions<ScanScheduleOptions> options)
{
    public const string NightlyJobId = "nightly-scans";
    /// <summary>Attempts after the first for transient failures (30 s, 2 min, 10 min, 30 min, 1 h later).</summary>
    public const int Retries = 5;

    [DisplayName("Scan {0}")]
    [AutomaticRetry(Attempts = Retries, DelaysInSeconds = [30, 120, 600, 1800, 3600], ExceptOn = [typeof(PermanentScanFailureException)],
        OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task ScanAsync(string mailboxId, long? skipIfFinishedSinceMs, PerformContext? context, CancellationToken ct)
    {
        int retryCount = context?.GetJobParameter<int>("RetryCount") ?? 0;
        DateTimeOffset? skipIfSince = skipIfFinishedSinceMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        var outcome = await runner.RunAsync(mailboxId, skipIfSince, willRetry: retryCount < Retries, ct);
        if (outcome == ScanOutcome.Busy)
            jobs.Schedule<ScanJob>(j => j.ScanAsync(mailboxId, skipIfFinishedSinceMs, null, CancellationToken.None),
                TimeSpan.FromSeconds(options.Value.BusyRetrySeconds));
        else if (outcome == ScanOutcome.RescanDue)
            await scheduler.EnqueueQueuedAsync(mailboxId);
    }

    [DisplayName("Nightly scans: queue one scan per mailbox")]
    [AutomaticRetry(Attempts = 3)]
    public Task DispatchNightAsync(CancellationToken ct) => scheduler.DispatchNightAsync(ct);
}
