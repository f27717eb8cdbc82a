namespace MailRapport.Server.Scanning;

/// <summary>
/// Brings one mailbox's stored interactions up to date with its source (incrementally where the source allows)
/// and recomputes its profiles. The scan job (through ScanRunner) and the CLI call this; tests call it directly.
/// </summary>
public interface IMailboxScanner
{
    Task<ScanResult> ScanAsync(string mailboxId, IProgress<ScanProgress>? progress = null, CancellationToken ct = default);
}

public sealed record ScanResult(
    string MailboxId,
    int MessagesUpserted,
    int MessagesRemoved,
    int MeetingsUpserted,
    int MeetingsRemoved,
    int Requests,
    int ItemsSkipped,
    TimeSpan Elapsed);

/// <summary>A snapshot for live progress displays.</summary>
public sealed record ScanProgress(string Phase, string? Scope, int Pages, int Messages, int Meetings, int Requests);
