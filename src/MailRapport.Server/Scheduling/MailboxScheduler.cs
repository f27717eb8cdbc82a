using Hangfire;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// Queues scans. Every path (scan now, the nightly dispatch, the catch-up at start) goes through the registry's
/// conditional update first, so a mailbox has at most one queued scan however many ask at once; only the caller
/// that queued it stores the Hangfire job.
/// </summary>
public sealed class MailboxScheduler(MailboxRegistry registry, IBackgroundJobClient jobs, NightlySchedule nightly, ILogger<MailboxScheduler> log)
{
    /// <summary>A queued mark this old without a scan is taken for a job lost between the mark and the job store.</summary>
    internal static readonly TimeSpan QueuedMarkStaleAfter = TimeSpan.FromHours(6);

    /// <summary>Queues a scan unless one is queued already. With <paramref name="skipIfFinishedSince"/>, the run does nothing if a scan finished since then.</summary>
    public async Task<bool> ScanNowAsync(string mailboxId, DateTimeOffset? skipIfFinishedSince = null, CancellationToken ct = default)
    {
        if (!await registry.TryQueueAsync(mailboxId, nightly.Now - QueuedMarkStaleAfter, force: skipIfFinishedSince is null, ct)) return false;
        await EnqueueAsync(mailboxId, skipIfFinishedSince);
        return true;
    }

    /// <summary>
    /// Debounced scan (a change notification): queues one scan to start after <paramref name="delay"/> unless one is
    /// queued already, so the notifications that arrive before it starts share it. One arriving while a scan runs
    /// queues exactly one more (the running scan no longer counts as queued); if that one starts while the scan still
    /// runs, it hands itself to it and the scan runs once more as soon as it ends (<see cref="MailboxRegistry.TryRequestRescanAsync"/>).
    /// </summary>
    public async Task<bool> ScanSoonAsync(string mailboxId, TimeSpan delay, CancellationToken ct = default)
    {
        if (!await registry.TryQueueAsync(mailboxId, nightly.Now - QueuedMarkStaleAfter, force: true, ct)) return false;
        try
        {
            if (delay <= TimeSpan.Zero) jobs.Enqueue<ScanJob>(j => j.ScanAsync(mailboxId, null, null, CancellationToken.None));
            else jobs.Schedule<ScanJob>(j => j.ScanAsync(mailboxId, null, null, CancellationToken.None), delay);
        }
        catch
        {
            await registry.UnqueueAsync(mailboxId, CancellationToken.None);
            throw;
        }
        return true;
    }

    /// <summary>The nightly recurring job: one queued scan per registered mailbox, skipped by a mailbox already scanned since the night began.</summary>
    public async Task<int> DispatchNightAsync(CancellationToken ct = default)
    {
        var night = nightly.Previous(nightly.Now);
        var queued = await registry.TryQueueAllAsync(nightly.Now - QueuedMarkStaleAfter, ct);
        // Storing a job is a few round trips to the job storage: several at once, so 10,000 mailboxes take seconds, not minutes.
        await Parallel.ForEachAsync(queued, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (mailboxId, _) => await EnqueueAsync(mailboxId, night));
        log.LogInformation("Nightly scans of {Night:o}: {Queued} mailboxes queued", night, queued.Count);
        return queued.Count;
    }

    /// <summary>Stores the job of a scan the registry already marks queued (a run that left its follow-up to a new job).</summary>
    public Task EnqueueQueuedAsync(string mailboxId) => EnqueueAsync(mailboxId, null);

    private async Task EnqueueAsync(string mailboxId, DateTimeOffset? skipIfFinishedSince)
    {
        long? since = skipIfFinishedSince?.ToUnixTimeMilliseconds();
        try
        {
            jobs.Enqueue<ScanJob>(j => j.ScanAsync(mailboxId, since, null, CancellationToken.None));
        }
        catch
        {
            // Not stored: take the mark back so the next request queues it again.
            await registry.UnqueueAsync(mailboxId, CancellationToken.None);
            throw;
        }
    }

    public Task<DateTimeOffset?> NextNightlyAsync(string mailboxId, CancellationToken ct = default) =>
        Task.FromResult<DateTimeOffset?>(nightly.Next(nightly.Now));

    /// <summary>Whether a scan was asked for and has not started yet.</summary>
    public static bool IsQueued(MailboxStatus status) => status.ScanQueued;
}
