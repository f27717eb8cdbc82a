using MailRapport.Core;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Profiles;

/// <summary>
/// Two recomputes of one mailbox racing (docs/decisions/021-recompute-race.md), on SQLite and PostgreSQL: one is held
/// between computing and writing (a gate in <see cref="ProfileService.BeforeWrite"/>, no sleeps) while the other
/// computes from newer data and writes; released, the first must not write its older profiles or state over them.
/// </summary>
public sealed class RecomputeRaceTests
{
    private const string Mailbox = "m1";
    private const string Owner = "me@own.example";
    private static readonly DateTimeOffset Start = new(2026, 3, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60); // a bound on a hung test, not a wait

    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_full_recompute_held_while_a_scan_stores_newer_profiles_computes_again_instead_of_writing_over_them(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        await SeedAsync(t.Store);
        var feedback = t.Store.ProfileService();
        var gate = new Gate(feedback);

        // Feedback's full recompute computes, then waits at the gate with profiles that know nothing of late@x.example.
        var held = feedback.RecomputeAsync(Mailbox, Start.AddMinutes(1));
        await gate.Reached.WaitAsync(Patience);

        // Meanwhile a scan stores a message from a new correspondent and its recompute writes.
        await t.Store.Interactions().UpsertMessagesAsync(Mailbox, [Message("late", "late@x.example", Start.AddMinutes(-5))]);
        var scan = await t.Store.ProfileService().RecomputeChangedAsync(Mailbox, Start.AddMinutes(2));
        Assert.True(scan.Recomputed >= 1, scan.ToString());
        var afterScan = (await t.Store.Profiles().GetStateAsync(Mailbox))!;

        gate.Release();
        var profiles = await held.WaitAsync(Patience);

        Assert.Equal(2, gate.Calls); // it computed again
        Assert.Contains(profiles, p => p.Address == "late@x.example");
        Assert.NotNull(await t.Store.GetProfileAsync(Mailbox, "late@x.example"));
        var state = (await t.Store.Profiles().GetStateAsync(Mailbox))!;
        Assert.Equal(await t.Store.Interactions().SequenceAsync(Mailbox), state.ComputedSeq);
        Assert.True(state.ComputedSeq >= afterScan.ComputedSeq && state.ComputedAt >= afterScan.ComputedAt, $"{state} after {afterScan}");
        Assert.Equal(state.ComputedAt, state.FullAt);
        await AssertStoredIsFullRecomputeAsync(t.Store, state.ComputedAt);
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_scans_recompute_held_while_feedback_stores_an_override_does_not_write_the_older_overrides_back(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        await SeedAsync(t.Store);
        var scanService = t.Store.ProfileService();
        var gate = new Gate(scanService);

        // A scan stored a new message from p1; its recompute computes (without the override to come) and waits.
        await t.Store.Interactions().UpsertMessagesAsync(Mailbox, [Message("new", "p1@x.example", Start.AddMinutes(-3))]);
        var held = scanService.RecomputeChangedAsync(Mailbox, Start.AddMinutes(1));
        await gate.Reached.WaitAsync(Patience);

        // Meanwhile the user says p2 is automated, and the feedback's full recompute writes.
        var feedback = t.Store.ProfileService();
        await feedback.SetAutomatedOverrideAsync(Mailbox, "p2@x.example", true);
        await feedback.RecomputeAsync(Mailbox, Start.AddMinutes(2));
        var afterFeedback = (await t.Store.Profiles().GetStateAsync(Mailbox))!;
        Assert.Contains("automated", (await t.Store.GetProfileAsync(Mailbox, "p2@x.example"))!.Flags);

        gate.Release();
        await held.WaitAsync(Patience);

        Assert.True(gate.Calls >= 1);
        var state = (await t.Store.Profiles().GetStateAsync(Mailbox))!;
        Assert.Equal(afterFeedback.Facts, state.Facts); // not the fingerprint without the override
        Assert.True(state.ComputedSeq >= afterFeedback.ComputedSeq && state.ComputedAt >= afterFeedback.ComputedAt, $"{state} after {afterFeedback}");
        Assert.Contains("automated", (await t.Store.GetProfileAsync(Mailbox, "p2@x.example"))!.Flags);
        await AssertStoredIsFullRecomputeAsync(t.Store, state.ComputedAt);
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_guarded_write_goes_ahead_only_while_the_stored_state_is_the_one_expected(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        await SeedAsync(t.Store);
        var profiles = t.Store.Profiles();
        var first = (await profiles.GetStateAsync(Mailbox))!;
        var newer = first with { ComputedSeq = first.ComputedSeq + 5, ComputedAt = first.ComputedAt.AddMinutes(1) };
        var older = first with { ComputedSeq = first.ComputedSeq + 1 };

        Assert.True(await profiles.TryUpdateAsync(Mailbox, [], [], MailboxCoverage.Empty, newer, first));
        // Started from `first` too, but `newer` was stored meanwhile: refused, nothing written.
        Assert.False(await profiles.TryUpdateAsync(Mailbox, [], ["p1@x.example"], MailboxCoverage.Empty, older, first));
        Assert.False(await profiles.TryReplaceAsync(Mailbox, [], MailboxCoverage.Empty, older, first));
        Assert.Equal(newer, await profiles.GetStateAsync(Mailbox));
        Assert.NotNull(await t.Store.GetProfileAsync(Mailbox, "p1@x.example"));
        // No state stored: only a writer that expected none goes ahead.
        await t.Store.DeleteMailboxDataAsync(Mailbox);
        Assert.False(await profiles.TryReplaceAsync(Mailbox, [], MailboxCoverage.Empty, older, newer));
        Assert.True(await profiles.TryReplaceAsync(Mailbox, [], MailboxCoverage.Empty, older, null));
        Assert.Equal(older, await profiles.GetStateAsync(Mailbox));
    }

    /// <summary>A mailbox with five correspondents and stored profiles (a first full recompute).</summary>
    private static async Task SeedAsync(MailStore store)
    {
        await store.Interactions().UpsertMailboxAsync(new StoredMailbox(Mailbox, [Owner], "Me", "test", Start));
        var messages = Enumerable.Range(0, 40).Select(i => Message($"m{i}", $"p{i % 5 + 1}@x.example", Start.AddDays(-i * 3))).ToList();
        await store.Interactions().UpsertMessagesAsync(Mailbox, messages);
        Assert.True((await store.ProfileService().RecomputeChangedAsync(Mailbox, Start)).Full);
    }

    private static MessageInteraction Message(string key, string from, DateTimeOffset at) => new()
    {
        Key = $"<{key}@x>",
        Timestamp = at,
        Direction = Direction.Incoming,
        From = from,
        Counterparts = [new Counterpart(from, "Name", RecipientRole.From), new Counterpart(Owner, "Me", RecipientRole.To)],
        RecipientCount = 1,
        OwnerRole = RecipientRole.To,
        ConversationId = "c-" + key,
    };

    /// <summary>The stored profiles are exactly what a full recompute as of <paramref name="asOf"/> gives now.</summary>
    private static async Task AssertStoredIsFullRecomputeAsync(MailStore store, DateTimeOffset asOf)
    {
        var expected = (await store.ProfileService().ComputeAsync(Mailbox, asOf)).ToDictionary(p => p.Address);
        var stored = (await store.ListProfilesAsync(Mailbox)).ToDictionary(p => p.Address);
        Assert.Equal(expected.Keys.Order(), stored.Keys.Order());
        foreach (var (address, profile) in expected)
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(StoredProfileFormat.From(profile), StoredProfileJson.Default.StoredProfile),
                System.Text.Json.JsonSerializer.Serialize(stored[address], StoredProfileJson.Default.StoredProfile)); // both in full
    }

    /// <summary>Holds the service's first write until released; counts every write it was about to make.</summary>
    private sealed class Gate
    {
        private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int calls;

        public Gate(ProfileService service) => service.BeforeWrite = async (_, ct) =>
        {
            if (Interlocked.Increment(ref calls) > 1) return;
            reached.SetResult();
            await release.Task.WaitAsync(ct);
        };

        public Task Reached => reached.Task;
        public int Calls => Volatile.Read(ref calls);
        public void Release() => release.SetResult();
    }
}
