using MailRapport.Core.Sample;
using MailRapport.Server.Profiles;
using MailRapport.Server.Sample;
using MailRapport.Server.Storage;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Scanning;

/// <summary>Local mode's sample source. Bound from the "Sample" configuration section.</summary>
public sealed class SampleScanOptions
{
    public const string Section = "Sample";

    public int Seed { get; set; } = 7;

    /// <summary>How many correspondents the sample has (fewer = a quicker scan, for tests).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int Correspondents { get; set; } = new SampleOptions().Correspondents;

    /// <summary>A pause before the profiles are recomputed, to make a scan long enough to watch (demos, the two-host test).</summary>
    public int DelayMilliseconds { get; set; }
}

/// <summary>
/// Local mode's mail source: the deterministic sample mailbox. Its history ends on the day the mailbox was first
/// built, so every later scan upserts the very same interactions (idempotent by key) and recomputes the profiles,
/// exactly as a Graph scan would.
/// </summary>
public sealed class SampleMailboxScanner(MailStore store, ProfileService profiles, TimeProvider clock, IOptions<SampleScanOptions> options) : IMailboxScanner
{
    private readonly InteractionStore interactions = new(store);

    public async Task<ScanResult> ScanAsync(string mailboxId, IProgress<ScanProgress>? progress = null, CancellationToken ct = default)
    {
        var started = clock.GetTimestamp();
        var existing = await interactions.GetMailboxAsync(mailboxId, ct);
        var builtAt = existing?.CreatedAt ?? clock.GetUtcNow();
        var sample = SampleMailboxGenerator.Generate(new SampleOptions
        {
            Seed = options.Value.Seed,
            Correspondents = options.Value.Correspondents,
            End = SampleMailboxLoader.DefaultEnd(builtAt),
        });
        if (existing is null)
            await interactions.UpsertMailboxAsync(new StoredMailbox(mailboxId, [sample.OwnerAddress], sample.OwnerDisplayName, "sample", builtAt), ct);
        progress?.Report(new ScanProgress("messages", null, 1, sample.Messages.Count, 0, 0));
        await interactions.UpsertMessagesAsync(mailboxId, sample.Messages, ct);
        await interactions.UpsertMeetingsAsync(mailboxId, sample.Meetings, ct);
        if (options.Value.DelayMilliseconds > 0)
            await Task.Delay(TimeSpan.FromMilliseconds(options.Value.DelayMilliseconds), clock, ct);
        progress?.Report(new ScanProgress("profiles", null, 1, sample.Messages.Count, sample.Meetings.Count, 0));
        await profiles.RecomputeChangedAsync(mailboxId, clock.GetUtcNow(), ct);
        return new ScanResult(mailboxId, sample.Messages.Count, 0, sample.Meetings.Count, 0, 0, 0, clock.GetElapsedTime(started));
    }

}
