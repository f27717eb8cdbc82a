using MailRapport.Core.Sample;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Sample;

/// <summary>Writes the generated sample mailbox into a store (replacing an earlier sample) and computes its profiles.</summary>
public sealed class SampleMailboxLoader(MailStore store, ProfileService profiles, MailboxEraser eraser)
{
    private readonly InteractionStore interactions = new(store);

    public const string MailboxId = "sample";

    /// <summary>The sample ends at the start of today (UTC), so "now" always sits just after its history.</summary>
    public static DateTimeOffset DefaultEnd(DateTimeOffset now) => new(now.UtcDateTime.Date, TimeSpan.Zero);

    public async Task<SampleMailbox> LoadAsync(int seed, DateTimeOffset end, DateTimeOffset now, CancellationToken ct = default)
    {
        var sample = SampleMailboxGenerator.Generate(new SampleOptions { Seed = seed, End = end });
        await store.MigrateAsync(ct);
        await eraser.EraseAsync(MailboxId, ct);
        await interactions.UpsertMailboxAsync(new StoredMailbox(MailboxId, [sample.OwnerAddress], sample.OwnerDisplayName, "sample", now), ct);
        await interactions.UpsertMessagesAsync(MailboxId, sample.Messages, ct);
        await interactions.UpsertMeetingsAsync(MailboxId, sample.Meetings, ct);
        await profiles.RecomputeAsync(MailboxId, now, ct);
        return sample;
    }
}
