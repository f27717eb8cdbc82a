using MailRapport.Core.Sample;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Scanning;

/// <summary>
/// Local mode's mail source: the deterministic sample mailbox. A scan upserts it (idempotent by key) and
/// recomputes the profiles, exactly as a Graph scan would.
/// </summary>
public sealed class SampleMailboxScanner(MailStore store, ProfileService profiles, TimeProvider clock) : IMailboxScanner
{
    public async Task<ScanResult> ScanAsync(string mailboxId, IProgress<ScanProgress>? progress = null, CancellationToken ct = default)
    {
        var started = clock.GetTimestamp();
        var sample = SampleMailboxGenerator.Generate();
        await store.UpsertMailboxAsync(new StoredMailbox(mailboxId, [sample.OwnerAddress], sample.OwnerDisplayName, "sample", clock.GetUtcNow()), ct);
        progress?.Report(new ScanProgress("messages", null, 1, sample.Messages.Count, 0, 0));
        await store.UpsertMessagesAsync(mailboxId, sample.Messages, ct);
        await store.UpsertMeetingsAsync(mailboxId, sample.Meetings, ct);
        progress?.Report(new ScanProgress("profiles", null, 1, sample.Messages.Count, sample.Meetings.Count, 0));
        await profiles.RecomputeAsync(mailboxId, clock.GetUtcNow(), ct);
        return new ScanResult(mailboxId, sample.Messages.Count, 0, sample.Meetings.Count, 0, 0, 0, clock.GetElapsedTime(started));
    }
}
