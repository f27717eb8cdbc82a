using MailRapport.Core;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// Each contact's stage and nurture over time, one row per change (kept by <see cref="ProfileStore"/>). Changes are
/// found by comparing the stored profiles with the latest recorded row, not with a snapshot taken before the scan,
/// so a scan that was killed and re-run (or run twice) records each change exactly once.
/// </summary>
public sealed class StageHistory(ProfileStore stored, InteractionStore interactions, ProfileService profiles, TimeProvider clock)
{

    /// <summary>How far back the first scan reconstructs history, month by month.</summary>
    public const int BackfillMonths = 24;

    /// <summary>Records a row for every stored profile whose stage or nurture differs from its last recorded one.</summary>
    public async Task<int> RecordChangesAsync(string mailboxId, CancellationToken ct = default)
    {
        var current = await stored.CurrentStagesAsync(mailboxId, ct);
        return await stored.RecordChangesAsync(mailboxId, [(clock.GetUtcNow(), current)], ct);
    }

    /// <summary>
    /// On a mailbox with no history yet, replays the stored interactions as of each month's start over the last
    /// <see cref="BackfillMonths"/> months, so "became a Relationship in March" is visible after the very first scan.
    /// </summary>
    public async Task BackfillIfEmptyAsync(string mailboxId, CancellationToken ct = default)
    {
        if (await stored.HasHistoryAsync(mailboxId, ct)) return;
        if (await interactions.GetMailboxAsync(mailboxId, ct) is null) return; // the scanner stored nothing to replay
        var now = clock.GetUtcNow();
        var snapshots = new List<(DateTimeOffset At, IEnumerable<(string, Stage, Nurture)> Rows)>();
        var month = MonthIndex.Start(MonthIndex.Of(now) - BackfillMonths + 1);
        for (; month <= now; month = month.AddMonths(1))
        {
            var asOf = await profiles.ComputeAsync(mailboxId, month, ct);
            snapshots.Add((month, asOf.Select(p => (p.Address, p.Stage, p.Nurture)).ToList()));
        }
        // All months in one transaction: a backfill cut short leaves nothing, so the next scan starts it again.
        await stored.RecordChangesAsync(mailboxId, snapshots, ct);
    }
}
