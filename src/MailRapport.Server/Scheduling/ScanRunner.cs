using System.Diagnostics;
using MailRapport.Server.Observability;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Scheduling;

public enum ScanOutcome
{
    Scanned,
    /// <summary>Nothing to do: the mailbox was erased, or already scanned since the night this run catches up.</summary>
    Skipped,
    /// <summary>Another run holds the mailbox's lease and kept changing hands: try again later.</summary>
    Busy,
    /// <summary>Another run holds the mailbox's lease: it scans once more when it ends (this request is its follow-up).</summary>
    HandedOver,
    /// <summary>Scanned, and a scan was asked for meanwhile that this run leaves to a new job (queued mark kept): enqueue it now.</summary>
    RescanDue,
}

/// <summary>
/// One scan of one mailbox: take the mailbox's lease in the registry (so two hosts never scan it at once), run the
/// scanner while renewing the lease, record the stage history and the outcome. A scan asked for while another runs is
/// handed to that one, which scans once more as soon as it ends (docs/decisions/022). The Hangfire job calls this; tests too.
/// </summary>
public sealed class ScanRunner(
    MailboxRegistry registry,
    IMailboxScanner scanner,
    StageHistory history,
    MailboxEraser eraser,
    IOptions<ScanScheduleOptions> options,
    TimeProvider clock,
    ILogger<ScanRunner> log,
    Delegated.MailboxGrants? grants = null)
{
    /// <param name="skipIfFinishedSince">Catch-up runs: do nothing if a scan finished at or after this instant.</param>
    /// <param name="willRetry">Whether a failure will be retried (the registry then keeps the scan queued).</param>
    public async Task<ScanOutcome> RunAsync(string mailboxId, DateTimeOffset? skipIfFinishedSince = null, bool willRetry = false, CancellationToken ct = default)
    {
        var status = await registry.GetAsync(mailboxId, ct);
        if (status is null)
        {
            log.LogInformation("Scan of {Mailbox} skipped: it is not registered (erased?)", mailboxId);
            return ScanOutcome.Skipped;
        }
        // A delegated grant revoked or expired: nothing to read until the user signs in again (which queues a scan).
        if (grants is not null && await grants.NeedsSignInAsync(mailboxId, ct))
        {
            log.LogInformation("Scan of {Mailbox} skipped: its user must sign in again", mailboxId);
            await registry.UnqueueAsync(mailboxId, ct);
            return ScanOutcome.Skipped;
        }
        // A catch-up run skips itself when a scan finished since its night, unless someone asked for a scan meanwhile.
        if (skipIfFinishedSince is { } since && await registry.TrySkipAsync(mailboxId, since, ct))
        {
            log.LogInformation("Scan of {Mailbox} skipped: already scanned at {Finished}", mailboxId, status.ScanFinishedAt);
            return ScanOutcome.Skipped;
        }

        var owner = Guid.NewGuid().ToString("n");
        var lease = TimeSpan.FromSeconds(options.Value.ScanLeaseSeconds);
        for (int attempt = 1; !await registry.TryClaimAsync(mailboxId, owner, clock.GetUtcNow() - lease, ct); attempt++)
        {
            // A scan of it is running (here or on another host): it runs once more when it ends, so this job is done.
            if (await registry.TryRequestRescanAsync(mailboxId, clock.GetUtcNow() - lease, ct))
            {
                log.LogInformation("Scan of {Mailbox} handed to the running scan, which runs once more when it ends", mailboxId);
                return ScanOutcome.HandedOver;
            }
            // Neither: the running scan ended in between, so claim again; a few races lost in a row fall back to a later retry.
            if (attempt == ClaimAttempts)
            {
                log.LogInformation("Scan of {Mailbox} deferred: another scan of it is running", mailboxId);
                return ScanOutcome.Busy;
            }
        }

        var watch = new LeaseWatch(CancellationTokenSource.CreateLinkedTokenSource(ct));
        using var leaseLost = watch.Stop;
        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewAsync(mailboxId, owner, lease / 3, watch, stopRenewing.Token);
        try
        {
            for (int pass = 1; ; pass++)
            {
                if (!await ScanPassAsync(mailboxId, owner, willRetry, watch, ct)) return ScanOutcome.Skipped;
                var finish = await registry.FinishAsync(mailboxId, owner, mayRunAgain: pass < MaxPassesPerRun, ct);
                if (finish == ScanFinish.RunAgain)
                {
                    log.LogInformation("Scan of {Mailbox} runs again at once: a scan was asked for while it ran", mailboxId);
                    continue;
                }
                // Erased while the scan ran: the scan wrote after the erase, so erase again.
                if (finish == ScanFinish.Lost && await registry.GetAsync(mailboxId, ct) is null)
                {
                    await eraser.EraseAsync(mailboxId, ct);
                    log.LogInformation("Mailbox {Mailbox} was erased during its scan; its data was erased again", mailboxId);
                    return ScanOutcome.Skipped;
                }
                return finish == ScanFinish.Requeue ? ScanOutcome.RescanDue : ScanOutcome.Scanned;
            }
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewing;
        }
    }

    /// <summary>Claim attempts before a job gives up on a mailbox whose scans keep starting and ending around it.</summary>
    internal const int ClaimAttempts = 3;

    /// <summary>Scans one run makes in a row (the first and the follow-ups asked for while it ran) before it queues the next.</summary>
    internal const int MaxPassesPerRun = 3;

    /// <summary>One scan under the held lease: false when the lease was lost to another host (that host scans).</summary>
    private async Task<bool> ScanPassAsync(string mailboxId, string owner, bool willRetry, LeaseWatch watch, CancellationToken ct)
    {
        var leaseLost = watch.Stop;
        using var activity = Telemetry.Source.StartActivity("scan");
        activity?.SetTag("mailrapport.mailbox", mailboxId);
        var started = clock.GetTimestamp();
        ScanResult result;
        try
        {
            result = await scanner.ScanAsync(mailboxId, null, leaseLost.Token);
            await history.BackfillIfEmptyAsync(mailboxId, leaseLost.Token);
            await history.RecordChangesAsync(mailboxId, leaseLost.Token);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            log.LogWarning("Scan of {Mailbox} interrupted by shutdown; it runs again from its last committed page", mailboxId);
            await registry.MarkInterruptedAsync(mailboxId, owner, CancellationToken.None);
            throw;
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested && watch.SignInReason is { } reason)
        {
            // Marked as needing sign-in while it ran (by another host, or the sign-in flow): stop as a refused token would.
            var message = Delegated.DelegatedTokens.NeedsSignInMessage(mailboxId, reason);
            log.LogError("Scan of {Mailbox} stopped, not retrying: {Reason}", mailboxId, message);
            await registry.MarkFailedAsync(mailboxId, owner, message, permanent: true, willRetry: false, CancellationToken.None);
            throw new PermanentScanFailureException(message);
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            log.LogWarning("Scan of {Mailbox} stopped: its lease was taken over by another host", mailboxId);
            return false;
        }
        catch (Exception e)
        {
            var permanent = PermanentScanFailureException.From(mailboxId, e);
            var kind = new KeyValuePair<string, object?>("kind", permanent is null ? "transient" : "permanent");
            Telemetry.ScanErrors.Add(1, kind);
            Telemetry.ScanDuration.Record(clock.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", "failed"));
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            activity?.SetTag("mailrapport.scan.error_kind", kind.Value);
            if (permanent is not null)
            {
                log.LogError(e, "Scan of {Mailbox} failed permanently, not retrying: {Reason}", mailboxId, permanent.Message);
                await registry.MarkFailedAsync(mailboxId, owner, permanent.Message, permanent: true, willRetry: false, CancellationToken.None);
                throw permanent;
            }
            log.LogWarning(e, "Scan of {Mailbox} failed ({Reason}); {Retry}", mailboxId, e.Message, willRetry ? "it will be retried" : "no retries left");
            await registry.MarkFailedAsync(mailboxId, owner, e.Message, permanent: false, willRetry, CancellationToken.None);
            throw;
        }

        Telemetry.ScanDuration.Record(clock.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", "scanned"));
        Telemetry.ScanPages.Add(result.Requests);
        Telemetry.ScanMessages.Add(result.MessagesUpserted);
        Telemetry.ScanMeetings.Add(result.MeetingsUpserted);
        activity?.SetTag("mailrapport.scan.messages", result.MessagesUpserted);
        activity?.SetTag("mailrapport.scan.pages", result.Requests);
        log.LogInformation("Scanned {Mailbox}: {Messages} messages, {Meetings} meetings in {Elapsed}",
            mailboxId, result.MessagesUpserted, result.MeetingsUpserted, result.Elapsed);
        return true;
    }

    /// <summary>Stops a running scan: its lease lost, or its grant marked as needing sign-in (then with the reason).</summary>
    private sealed class LeaseWatch(CancellationTokenSource stop)
    {
        public CancellationTokenSource Stop { get; } = stop;
        public volatile string? SignInReason;
    }

    /// <summary>
    /// Renews the lease until stopped; a lease that could not be renewed cancels the scan. Each renewal also reads the
    /// mailbox's grant (its requests read it only once per scan, GraphClients): one marked as needing sign-in meanwhile
    /// stops the scan within a third of the lease.
    /// </summary>
    private async Task RenewAsync(string mailboxId, string owner, TimeSpan every, LeaseWatch watch, CancellationToken stop)
    {
        var leaseLost = watch.Stop;
        using var timer = new PeriodicTimer(every, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                bool held;
                try { held = await registry.RenewAsync(mailboxId, owner, stop); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Could not renew the scan lease of {Mailbox}; trying again", mailboxId);
                    continue;
                }
                if (!held)
                {
                    await leaseLost.CancelAsync();
                    return;
                }
                if (grants is not null && await ReadGrantAsync(mailboxId, stop) is { NeedsSignIn: true } grant)
                {
                    watch.SignInReason = grant.Reason ?? "the delegated grant is no longer valid";
                    await leaseLost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task<Delegated.MailboxGrant?> ReadGrantAsync(string mailboxId, CancellationToken ct)
    {
        try { return await grants!.GetAsync(mailboxId, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not read the grant of {Mailbox}; reading it again at the next renewal", mailboxId);
            return null;
        }
    }
}
