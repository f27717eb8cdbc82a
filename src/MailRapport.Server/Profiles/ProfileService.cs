using MailRapport.Core;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Profiles;

/// <summary>What a recompute did: all profiles (and why), or only those of the correspondents that changed.</summary>
public sealed record RecomputeResult(bool Full, string Reason, int Recomputed, int Removed);

/// <summary>
/// Computes contact profiles from a mailbox's stored interactions, and keeps the stored profiles current: in full
/// (<see cref="RecomputeAsync"/>) or only where something changed (<see cref="RecomputeChangedAsync"/>, after a scan).
/// docs/decisions/019-incremental-recompute.md says when the second falls back to the first, and why that is exact.
/// </summary>
public sealed class ProfileService(InteractionStore interactions, ProfileStore stored, FeedbackStore feedback, RelationshipModel model)
{
    /// <summary>
    /// How long profiles not touched by new mail may stand as of an earlier instant (silence, nurture, waiting threads
    /// and strength move with time alone): a recompute after this long is a full one, so each nightly scan refreshes all.
    /// </summary>
    public static readonly TimeSpan FullRefreshAfter = TimeSpan.FromHours(20);

    private readonly string optionsFingerprint = System.Text.Json.JsonSerializer.Serialize(model.Options);

    /// <summary>Profiles as they stood at <paramref name="asOf"/>, counting only interactions before it. Nothing is saved.</summary>
    public async Task<IReadOnlyList<ContactProfile>> ComputeAsync(string mailboxId, DateTimeOffset asOf, CancellationToken ct = default) =>
        (await ComputeWithCoverageAsync(mailboxId, asOf, ct)).Profiles;

    /// <summary>Profiles as of <paramref name="asOf"/> and what the mailbox holds month by month up to then (judged once).</summary>
    public async Task<(IReadOnlyList<ContactProfile> Profiles, MailboxCoverage Coverage)> ComputeWithCoverageAsync(string mailboxId, DateTimeOffset asOf,
        CancellationToken ct = default)
    {
        var (mailbox, overrides) = await FactsAsync(mailboxId, ct);
        return await ComputeAllAsync(mailbox, overrides, asOf, ct);
    }

    private async Task<(IReadOnlyList<ContactProfile> Profiles, MailboxCoverage Coverage)> ComputeAllAsync(StoredMailbox mailbox,
        IReadOnlyDictionary<string, bool> overrides, DateTimeOffset asOf, CancellationToken ct)
    {
        var builder = model.CreateBuilder(mailbox.OwnerAddresses, overrides);
        await foreach (var interaction in interactions.ReadInteractionsAsync(mailbox.MailboxId, asOf, ct))
            builder.Add(interaction);
        var coverage = builder.Coverage(asOf);
        return (builder.Build(asOf, coverage), coverage);
    }

    private async Task<(StoredMailbox Mailbox, IReadOnlyDictionary<string, bool> Overrides)> FactsAsync(string mailboxId, CancellationToken ct)
    {
        var mailbox = await interactions.GetMailboxAsync(mailboxId, ct) ?? throw new MailboxNotFoundException(mailboxId);
        return (mailbox, await AutomatedOverridesAsync(mailboxId, ct));
    }

    /// <summary>
    /// The user's automated-sender overrides: those set with `mark`, and the contacts answered "not a person" in the
    /// card (an explicit `mark` wins).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, bool>> AutomatedOverridesAsync(string mailboxId, CancellationToken ct)
    {
        var marked = await stored.GetAutomatedOverridesAsync(mailboxId, ct);
        var notAPerson = await feedback.NotAPersonAsync(mailboxId, ct);
        if (notAPerson.Count == 0) return marked;
        var merged = new Dictionary<string, bool>(marked, StringComparer.Ordinal);
        foreach (var address in notAPerson) merged.TryAdd(address, true);
        return merged;
    }

    /// <summary>The user's say on one address (true: automated, false: a person, null: detect); takes effect at the next recompute.</summary>
    public Task SetAutomatedOverrideAsync(string mailboxId, string address, bool? automated, CancellationToken ct = default) =>
        stored.SetAutomatedOverrideAsync(mailboxId, address, automated, ct);

    /// <summary>
    /// How many times a recompute computes again because another one wrote the mailbox's profiles while it computed
    /// (each such write is progress; the limit only bounds a caller's wait).
    /// </summary>
    public const int MaxAttempts = 5;

    /// <summary>For tests: runs after a recompute computed and before it writes, so two can be interleaved deterministically.</summary>
    internal Func<string, CancellationToken, Task>? BeforeWrite { get; set; }

    /// <summary>
    /// Recomputes every profile of the mailbox as of now and replaces the stored ones. When another recompute wrote in
    /// the meantime (a scan's), this one computes again rather than write over it (docs/decisions/021-recompute-race.md).
    /// </summary>
    public async Task<IReadOnlyList<ContactProfile>> RecomputeAsync(string mailboxId, DateTimeOffset now, CancellationToken ct = default)
    {
        for (int attempt = 1; ; attempt++)
        {
            // The stored state first, before any input: a write by another recompute after this read makes ours stale.
            var expected = await stored.GetStateAsync(mailboxId, ct);
            // Computing again after another recompute wrote: never as of an instant before the one it stored.
            if (attempt > 1 && expected is not null && expected.ComputedAt > now) now = expected.ComputedAt;
            var (mailbox, overrides) = await FactsAsync(mailboxId, ct);
            if (await TryRecomputeAllAsync(expected, mailbox, overrides, now, ct) is { } profiles) return profiles;
            if (attempt == MaxAttempts) throw new RecomputeConflictException(mailboxId, attempt);
        }
    }

    /// <summary>Computes every profile and writes them unless the stored state is no longer <paramref name="expected"/> (then null).</summary>
    private async Task<IReadOnlyList<ContactProfile>?> TryRecomputeAllAsync(ProfileState? expected, StoredMailbox mailbox,
        IReadOnlyDictionary<string, bool> overrides, DateTimeOffset now, CancellationToken ct)
    {
        // The change number before reading: changes committed meanwhile are read now and again next time, never missed.
        var seq = await interactions.SequenceAsync(mailbox.MailboxId, ct);
        var (profiles, coverage) = await ComputeAllAsync(mailbox, overrides, now, ct);
        if (BeforeWrite is { } hook) await hook(mailbox.MailboxId, ct);
        var state = new ProfileState(seq, now, now, Fingerprint(mailbox, overrides));
        return await stored.TryReplaceAsync(mailbox.MailboxId, profiles, coverage, state, expected, ct) ? profiles : null;
    }

    /// <summary>
    /// Brings the stored profiles up to date as of <paramref name="now"/>, recomputing only the correspondents whose
    /// interactions changed since the last recompute (inserted, updated or deleted, as <see cref="InteractionStore"/>
    /// recorded) or that time brought an interaction to; everything when a mailbox-wide fact changed (owner addresses,
    /// overrides, the model's options, what the mailbox holds month by month), at a new month, or when the last full
    /// recompute is older than <see cref="FullRefreshAfter"/>. Like <see cref="RecomputeAsync"/>, it never writes over
    /// profiles another recompute stored while it computed: it computes again from those.
    /// </summary>
    public async Task<RecomputeResult> RecomputeChangedAsync(string mailboxId, DateTimeOffset now, CancellationToken ct = default)
    {
        for (int attempt = 1; ; attempt++)
        {
            if (await TryRecomputeChangedAsync(mailboxId, now, retry: attempt > 1, ct) is { } result) return result;
            if (attempt == MaxAttempts) throw new RecomputeConflictException(mailboxId, attempt);
        }
    }

    private async Task<RecomputeResult?> TryRecomputeChangedAsync(string mailboxId, DateTimeOffset now, bool retry, CancellationToken ct)
    {
        // The stored state first, before any input (as in RecomputeAsync).
        var state = await stored.GetStateAsync(mailboxId, ct);
        if (retry && state is not null && state.ComputedAt > now) now = state.ComputedAt;
        var (mailbox, overrides) = await FactsAsync(mailboxId, ct);
        var facts = Fingerprint(mailbox, overrides);
        var reason = state switch
        {
            null => "no profiles computed yet",
            _ when state.Facts != facts => "owner addresses, overrides or model options changed",
            _ when now < state.ComputedAt => "the clock is behind the last recompute",
            _ when now - state.FullAt >= FullRefreshAfter => $"last full recompute {(now - state.FullAt).TotalHours:0.#} h ago",
            _ when MonthIndex.Of(now) != MonthIndex.Of(state.FullAt) => "a new month",
            _ => null,
        };
        if (reason is not null) return await RecomputeAllAsync(state, mailbox, overrides, now, reason, ct);

        // The change number before any data is read: what commits later is read again next time, never missed.
        var (seq, touched, all) = await interactions.ChangesSinceAsync(mailboxId, state!.ComputedSeq, ct);
        if (all) return await RecomputeAllAsync(state, mailbox, overrides, now, $"more than {InteractionStore.ManyAddresses} correspondents changed at once", ct);
        var previous = await stored.GetCoverageAsync(mailboxId, ct);
        if (previous is null) return await RecomputeAllAsync(state, mailbox, overrides, now, "no coverage stored", ct);
        // The coverage now: with no change since, the stored counts plus what time brought in; else counted afresh.
        var counts = seq == state.ComputedSeq
            ? previous.Months.Select(m => (MonthIndex.Of(m.Year, m.Month), m.Received, m.Sent, m.Meetings))
                .Concat(await interactions.MonthCountsAsync(mailboxId, now, state.ComputedAt, ct))
            : await interactions.MonthCountsAsync(mailboxId, now, null, ct);
        var coverage = MailboxCoverage.FromMonthCounts(counts, now, model.Options);
        if (!SameJudgement(previous, coverage))
            return await RecomputeAllAsync(state, mailbox, overrides, now, "what the mailbox holds month by month changed", ct);

        var dirty = new HashSet<string>(touched, StringComparer.Ordinal);
        dirty.UnionWith(await interactions.CorrespondentsBetweenAsync(mailboxId, state.ComputedAt, now, ct));
        if (dirty.Count == 0)
        {
            // Nothing to recompute; the stored coverage's counts are kept current (its judgement is the same).
            if (seq != state.ComputedSeq || !previous.Months.SequenceEqual(coverage.Months))
            {
                if (BeforeWrite is { } hook) await hook(mailboxId, ct);
                if (!await stored.TryUpdateAsync(mailboxId, [], [], coverage, state with { ComputedSeq = seq, ComputedAt = now }, state, ct)) return null;
            }
            return new RecomputeResult(false, "nothing changed", 0, 0);
        }

        // Only the changed correspondents' interactions feed the builder; the people they share them with are built
        // from part of their history, so only the changed ones are kept.
        var builder = model.CreateBuilder(mailbox.OwnerAddresses, overrides);
        await foreach (var interaction in interactions.ReadInteractionsAsync(mailboxId, now, ct))
            if (InteractionPeople.Involves(interaction, dirty))
                builder.Add(interaction);
        var profiles = builder.Build(now, coverage).Where(p => dirty.Contains(p.Address)).ToList();
        var removed = dirty.Except(profiles.Select(p => p.Address), StringComparer.Ordinal).ToList();
        if (BeforeWrite is { } beforeWrite) await beforeWrite(mailboxId, ct);
        if (!await stored.TryUpdateAsync(mailboxId, profiles, removed, coverage, state with { ComputedSeq = seq, ComputedAt = now }, state, ct)) return null;
        return new RecomputeResult(false, $"{dirty.Count} correspondents changed", profiles.Count, removed.Count);
    }

    private async Task<RecomputeResult?> RecomputeAllAsync(ProfileState? expected, StoredMailbox mailbox, IReadOnlyDictionary<string, bool> overrides,
        DateTimeOffset now, string reason, CancellationToken ct) =>
        await TryRecomputeAllAsync(expected, mailbox, overrides, now, ct) is { } profiles ? new RecomputeResult(true, reason, profiles.Count, 0) : null;

    /// <summary>Whether two coverages judge every month alike (the counts may differ: profiles read only the judgement).</summary>
    private static bool SameJudgement(MailboxCoverage a, MailboxCoverage b) =>
        a.Months.Count == b.Months.Count && a.Months.Zip(b.Months).All(p =>
            (p.First.Year, p.First.Month, p.First.ReceivedStored, p.First.SentStored, p.First.CalendarStored) ==
            (p.Second.Year, p.Second.Month, p.Second.ReceivedStored, p.Second.SentStored, p.Second.CalendarStored));

    /// <summary>The mailbox-wide facts every profile depends on, as one string: owner addresses, overrides and the model's options.</summary>
    private string Fingerprint(StoredMailbox mailbox, IReadOnlyDictionary<string, bool> overrides)
    {
        var text = string.Join("\n", mailbox.OwnerAddresses.Order(StringComparer.Ordinal)) + "\n--\n" +
                   string.Join("\n", overrides.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}")) + "\n--\n" +
                   optionsFingerprint;
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>Other recomputes kept writing the mailbox's profiles while this one computed, <see cref="ProfileService.MaxAttempts"/> times over.</summary>
public sealed class RecomputeConflictException(string mailboxId, int attempts)
    : Exception($"The profiles of mailbox '{mailboxId}' were rewritten by other recomputes {attempts} times while this one computed; try again.")
{
    public string MailboxId => mailboxId;
}

public sealed class MailboxNotFoundException(string mailboxId) : Exception($"No mailbox '{mailboxId}' is stored.")
{
    public string MailboxId => mailboxId;
}
