using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Scheduling;

/// <summary>One scan of one mailbox: scan state in the registry, the scanner, then the stage history.</summary>
public sealed class ScanRunner(MailboxRegistry registry, IMailboxScanner scanner, StageHistory history, MailStore store, ILogger<ScanRunner> log)
{
    public async Task<ScanResult?> RunAsync(string mailboxId, DateTimeOffset? skipIfFinishedSince = null, CancellationToken ct = default)
    {
        var status = await registry.GetAsync(mailboxId, ct);
        if (status is null)
        {
            log.LogInformation("Scan of {Mailbox} skipped: it is not registered (erased?)", mailboxId);
            return null;
        }
        if (skipIfFinishedSince is { } since && status.ScanFinishedAt >= since)
        {
            log.LogInformation("Scan of {Mailbox} skipped: already scanned at {Finished}", mailboxId, status.ScanFinishedAt);
            return null;
        }
        await registry.MarkStartedAsync(mailboxId, ct);
        ScanResult result;
        try
        {
            result = await scanner.ScanAsync(mailboxId, null, ct);
            await history.BackfillIfEmptyAsync(mailboxId, ct);
            await history.RecordChangesAsync(mailboxId, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogError(e, "Scan of {Mailbox} failed", mailboxId);
            await registry.MarkFailedAsync(mailboxId, e.Message, CancellationToken.None);
            throw;
        }
        await registry.MarkFinishedAsync(mailboxId, ct);
        // Erased while the scan ran: the scan wrote after the erase, so erase again.
        if (await registry.GetAsync(mailboxId, ct) is null)
        {
            await store.DeleteMailboxDataAsync(mailboxId, ct);
            log.LogInformation("Mailbox {Mailbox} was erased during its scan; its data was erased again", mailboxId);
            return null;
        }
        log.LogInformation("Scanned {Mailbox}: {Messages} messages, {Meetings} meetings in {Elapsed}",
            mailboxId, result.MessagesUpserted, result.MeetingsUpserted, result.Elapsed);
        return result;
    }
}
