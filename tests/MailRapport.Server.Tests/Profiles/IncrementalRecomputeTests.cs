using System.Text.Json;
using System.Text.Json.Nodes;
using MailRapport.Core;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Profiles;

/// <summary>
/// The incremental recompute against a full one (docs/decisions/019-incremental-recompute.md), on SQLite and
/// PostgreSQL: two stores get the same random inserts, updates, deletes, override changes and time steps; after each,
/// one recomputes only what changed, the other everything.
/// </summary>
public sealed class IncrementalRecomputeTests
{
    private const string Mailbox = "m1";
    private const string Owner = "me@own.example";
    private static readonly DateTimeOffset Start = new(2026, 3, 3, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<StoreProvider, int> Runs => new()
    {
        { StoreProvider.Sqlite, 1 }, { StoreProvider.Sqlite, 2 }, { StoreProvider.Sqlite, 3 },
        { StoreProvider.Postgres, 1 }, { StoreProvider.Postgres, 2 },
    };

    [PostgresTheory]
    [MemberData(nameof(Runs))]
    public async Task After_random_changes_and_time_steps_every_profile_is_what_a_full_recompute_gives(StoreProvider provider, int seed)
    {
        await using var incremental = await TestStore.CreateAsync(provider);
        await using var full = await TestStore.CreateAsync(provider);
        var world = new World(seed);
        var stores = new[] { incremental.Store, full.Store };
        foreach (var s in stores)
            await s.Interactions().UpsertMailboxAsync(new StoredMailbox(Mailbox, [Owner], "Me", "test", Start));
        var a = incremental.Store.ProfileService();
        var b = full.Store.ProfileService();
        int incrementalSteps = 0, partial = 0, fullSteps = 0;

        for (int step = 0; step < 45; step++)
        {
            var op = step < 3 ? "insert" : world.NextOp();
            await world.ApplyAsync(op, stores);
            var result = await a.RecomputeChangedAsync(Mailbox, world.Now);
            await b.RecomputeAsync(Mailbox, world.Now);
            if (result.Full) fullSteps++; else incrementalSteps++;
            var reference = (await full.Store.ListProfilesAsync(Mailbox)).ToDictionary(p => p.Address);
            if (!result.Full && result.Recomputed < reference.Count) partial++;
            await AssertEquivalentAsync(incremental.Store, reference, world.Now, $"seed {seed}, step {step} ({op}, {result})");
            Assert.Equal(Months(await full.Store.Profiles().GetCoverageAsync(Mailbox)), Months(await incremental.Store.Profiles().GetCoverageAsync(Mailbox)));
        }
        // Both paths ran, and incremental steps really left profiles alone.
        Assert.True(incrementalSteps >= 10 && fullSteps >= 2 && partial >= 5, $"incremental {incrementalSteps}, partial {partial}, full {fullSteps}");
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_rescan_recomputes_only_the_correspondents_it_touched(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        var world = new World(7);
        await t.Store.Interactions().UpsertMailboxAsync(new StoredMailbox(Mailbox, [Owner], "Me", "test", Start));
        var messages = Enumerable.Range(0, 60).Select(_ => world.Message()).ToList();
        await t.Store.Interactions().UpsertMessagesAsync(Mailbox, messages);
        var service = t.Store.ProfileService();
        Assert.True((await service.RecomputeChangedAsync(Mailbox, world.Now)).Full);
        var seq = await t.Store.Interactions().SequenceAsync(Mailbox);

        // The same rows again (a sample rescan, a replayed Graph page): nothing is marked, nothing recomputed.
        await t.Store.Interactions().UpsertMessagesAsync(Mailbox, messages);
        Assert.Equal(seq, await t.Store.Interactions().SequenceAsync(Mailbox));
        var now = world.Now.AddMinutes(5);
        Assert.Equal(new RecomputeResult(false, "nothing changed", 0, 0), await service.RecomputeChangedAsync(Mailbox, now));

        // One new message from one person: that person only.
        var one = world.Message() with { Direction = Direction.Incoming, From = "p3@x.example", Timestamp = now.AddMinutes(-1) };
        await t.Store.Interactions().UpsertMessagesAsync(Mailbox, [one]);
        now = now.AddMinutes(5);
        var result = await service.RecomputeChangedAsync(Mailbox, now);
        Assert.Equal((false, 1, 0), (result.Full, result.Recomputed, result.Removed));
        Assert.Equal(now, (await t.Store.GetProfileAsync(Mailbox, "p3@x.example"))!.AsOf);

        // Deleting every message of one correspondent removes their profile.
        var victim = messages.First(m => m.Direction == Direction.Incoming).From;
        var theirs = (await AllAsync(t.Store)).Where(m => m.Message is { } x && InteractionPeople.Of(x).Contains(victim)).Select(m => m.Message!.Key).ToList();
        await using (var tx = await t.Store.BeginAsync())
        {
            Assert.Equal(theirs.Count, await t.Store.Interactions().DeleteAsync(tx, Mailbox, InteractionKind.Message, theirs));
            await tx.CommitAsync();
        }
        now = now.AddMinutes(5);
        result = await service.RecomputeChangedAsync(Mailbox, now);
        Assert.False(result.Full);
        Assert.Null(await t.Store.GetProfileAsync(Mailbox, victim));
        Assert.Equal((await service.ComputeAsync(Mailbox, now)).Select(p => p.Address).Order(), (await t.Store.ListProfilesAsync(Mailbox)).Select(p => p.Address).Order());

        // One write naming more than ManyAddresses new people (a first scan's page, a catch-up): one full recompute,
        // which lists all of them, and the next small change is incremental again.
        var crowd = Enumerable.Range(0, InteractionStore.ManyAddresses + 1).Select(n => world.Message() with
        {
            Direction = Direction.Incoming, From = $"crowd{n}@y.example", Timestamp = now.AddMinutes(-1),
            Counterparts = [new Counterpart($"crowd{n}@y.example", null, RecipientRole.From)],
        }).ToList();
        await t.Store.Interactions().UpsertMessagesAsync(Mailbox, crowd);
        now = now.AddMinutes(5);
        result = await service.RecomputeChangedAsync(Mailbox, now);
        Assert.Equal((true, $"more than {InteractionStore.ManyAddresses} correspondents changed at once"), (result.Full, result.Reason));
        foreach (var m in crowd) Assert.NotNull(await t.Store.GetProfileAsync(Mailbox, m.From));
        await t.Store.Interactions().UpsertMessagesAsync(Mailbox, [crowd[0] with { Key = "<crowd-again@y.example>" }]);
        now = now.AddMinutes(5);
        Assert.Equal((false, 1), ((result = await service.RecomputeChangedAsync(Mailbox, now)).Full, result.Recomputed));

        // An override is a mailbox-wide fact: everything is recomputed.
        await service.SetAutomatedOverrideAsync(Mailbox, "p1@x.example", true);
        Assert.True((await service.RecomputeChangedAsync(Mailbox, now.AddMinutes(1))).Full);
        // A day later (time alone moves silence, nurture and waiting threads): everything again.
        Assert.True((await service.RecomputeChangedAsync(Mailbox, now.AddHours(21))).Full);
    }

    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    private static async Task<List<Interaction>> AllAsync(MailStore store)
    {
        var all = new List<Interaction>();
        await foreach (var i in store.Interactions().ReadInteractionsAsync(Mailbox)) all.Add(i);
        return all;
    }

    private static List<(int, int, bool, bool, bool)> Months(MailboxCoverage? c) =>
        (c ?? MailboxCoverage.Empty).Months.Select(m => (m.Year, m.Month, m.ReceivedStored, m.SentStored, m.CalendarStored)).ToList();

    /// <summary>
    /// The same contacts; a profile computed now is exactly the full one; one left from an earlier recompute is at most
    /// <see cref="ProfileService.FullRefreshAfter"/> old, in the same month, and equal to the full one in everything that
    /// does not move with time alone (so no change to its interactions, the coverage or the overrides was missed).
    /// </summary>
    private static async Task AssertEquivalentAsync(MailStore store, Dictionary<string, StoredProfile> reference, DateTimeOffset now, string where)
    {
        var actual = (await store.ListProfilesAsync(Mailbox)).ToDictionary(p => p.Address);
        Assert.True(reference.Keys.Order().SequenceEqual(actual.Keys.Order()),
            $"{where}: contacts differ: only full {string.Join(",", reference.Keys.Except(actual.Keys))}; only incremental {string.Join(",", actual.Keys.Except(reference.Keys))}");
        foreach (var (address, expected) in reference)
        {
            var got = actual[address];
            if (got.AsOf == now)
            {
                Assert.True(Json(expected) == Json(got), $"{where}: {address} recomputed now differs from the full recompute:\n{Json(expected)}\n{Json(got)}");
                continue;
            }
            Assert.True(got.AsOf < now && now - got.AsOf < ProfileService.FullRefreshAfter && MonthIndex.Of(got.AsOf) == MonthIndex.Of(now),
                $"{where}: {address} stands as of {got.AsOf:O}, now {now:O}");
            Assert.True(Timeless(expected) == Timeless(got), $"{where}: {address} kept from {got.AsOf:O} differs:\n{Timeless(expected)}\n{Timeless(got)}");
        }
    }

    private static string Json(StoredProfile p) => JsonSerializer.Serialize(p, StoredProfileJson.Default.StoredProfile);

    /// <summary>The profile without what moves with time alone (silence and what derives from it, the instant itself).</summary>
    private static string Timeless(StoredProfile p)
    {
        var node = JsonNode.Parse(Json(p))!.AsObject();
        foreach (var name in new[] { "asOf", "strength", "nurture", "reasons", "nextStep", "waitingOnYou", "waitingOnThem", "nextContact" })
            node.Remove(name);
        node["evidence"]!.AsObject().Remove("silenceDays");
        return node.ToJsonString();
    }

    /// <summary>A small mailbox that changes at random: a dozen people, shared threads, meetings past and ahead.</summary>
    private sealed class World(int seed)
    {
        private readonly Random random = new(seed);
        private readonly List<MessageInteraction> messages = [];
        private readonly List<MeetingInteraction> meetings = [];
        private int next;

        public DateTimeOffset Now { get; private set; } = Start;

        private string Person() => $"p{random.Next(12)}@x.example";

        public string NextOp() => random.Next(100) switch
        {
            < 30 => "insert",
            < 40 => "update",
            < 52 => "delete",
            < 60 => "meeting",
            < 65 => "delete-meeting",
            < 85 => "tick",
            < 90 => "day",
            < 93 => "override",
            _ => "nothing",
        };

        public MessageInteraction Message()
        {
            bool mine = random.Next(2) == 0;
            var to = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Person()).Distinct().ToList();
            var from = mine ? Owner : Person();
            var counterparts = mine
                ? to.Select((a, i) => new Counterpart(a, "Name " + a[..3], i == 0 ? RecipientRole.To : RecipientRole.Cc)).ToList()
                : [new Counterpart(from, "Name " + from[..3], RecipientRole.From), new Counterpart(Owner, "Me", RecipientRole.To)];
            return new MessageInteraction
            {
                Key = $"<k{next++}@x>",
                // Mostly past mail, now and then dated a little ahead (time alone brings it in later).
                Timestamp = Now.AddMinutes(random.Next(10) == 0 ? random.Next(10, 600) : -random.Next(1, 60 * 24 * 90)).AddSeconds(-Now.Second),
                Direction = mine ? Direction.Outgoing : Direction.Incoming,
                From = from,
                Counterparts = counterparts,
                RecipientCount = mine ? counterparts.Count : 1 + random.Next(3),
                OwnerRole = mine ? RecipientRole.From : RecipientRole.To,
                ConversationId = "c" + random.Next(15),
                IsReply = random.Next(2) == 0,
            };
        }

        private MeetingInteraction Meeting()
        {
            var start = Now.AddHours(random.Next(-24 * 60, 48));
            return new MeetingInteraction
            {
                Key = $"ev{next++}",
                Organizer = random.Next(3) == 0 ? Owner : Person(),
                Attendees = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => new Attendee(Person(), null, AttendeeKind.Required,
                    random.Next(6) == 0 ? AttendeeResponse.Declined : AttendeeResponse.Accepted)).Append(new Attendee(Owner, "Me", AttendeeKind.Required, AttendeeResponse.Accepted)).ToList(),
                Start = start,
                End = start.AddMinutes(30 + 30 * random.Next(3)),
                IsCancelled = random.Next(8) == 0,
            };
        }

        public async Task ApplyAsync(string op, MailStore[] stores)
        {
            switch (op)
            {
                case "insert":
                    var batch = Enumerable.Range(0, 1 + random.Next(6)).Select(_ => Message()).ToList();
                    messages.AddRange(batch);
                    foreach (var s in stores) await s.Interactions().UpsertMessagesAsync(Mailbox, batch);
                    break;
                case "update" when messages.Count > 0:
                    int i = random.Next(messages.Count);
                    var changed = Message() with { Key = messages[i].Key };
                    messages[i] = changed;
                    foreach (var s in stores) await s.Interactions().UpsertMessagesAsync(Mailbox, [changed]);
                    break;
                case "delete" when messages.Count > 0:
                    var gone = messages.OrderBy(_ => random.Next()).Take(1 + random.Next(3)).ToList();
                    messages.RemoveAll(gone.Contains);
                    foreach (var s in stores) await DeleteAsync(s, InteractionKind.Message, gone.Select(m => m.Key));
                    break;
                case "meeting":
                    var meeting = Meeting();
                    meetings.Add(meeting);
                    foreach (var s in stores) await s.Interactions().UpsertMeetingsAsync(Mailbox, [meeting]);
                    break;
                case "delete-meeting" when meetings.Count > 0:
                    var m = meetings[random.Next(meetings.Count)];
                    meetings.Remove(m);
                    foreach (var s in stores) await DeleteAsync(s, InteractionKind.Meeting, [m.Key]);
                    break;
                case "tick":
                    Now = Now.AddMinutes(random.Next(1, 60 * 8));
                    break;
                case "day":
                    Now = Now.AddHours(random.Next(18, 60));
                    break;
                case "override":
                    var who = Person();
                    bool? value = random.Next(3) switch { 0 => true, 1 => false, _ => null };
                    foreach (var s in stores) await s.Profiles().SetAutomatedOverrideAsync(Mailbox, who, value);
                    break;
            }
        }

        private static async Task DeleteAsync(MailStore store, InteractionKind kind, IEnumerable<string> keys)
        {
            await using var tx = await store.BeginAsync();
            await store.Interactions().DeleteAsync(tx, Mailbox, kind, keys);
            await tx.CommitAsync();
        }
    }
}
