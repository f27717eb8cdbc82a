using System.Text.Json;
using MailRapport.Core;
using MailRapport.Core.Sample;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Storage;

/// <summary>The same behaviour on SQLite and PostgreSQL: every test runs on both.</summary>
public sealed class MailStoreTests
{
    private static readonly SampleMailbox Sample = SampleMailboxGenerator.Generate(new SampleOptions { Seed = 11, Correspondents = 60 });

    private static async Task<TestStore> WithSample(StoreProvider provider, string mailboxId = "m1")
    {
        var t = await TestStore.CreateAsync(provider);
        await t.Store.Interactions().UpsertMailboxAsync(new StoredMailbox(mailboxId, [Sample.OwnerAddress], "Owner", "test", DateTimeOffset.UnixEpoch));
        await t.Store.Interactions().UpsertMessagesAsync(mailboxId, Sample.Messages);
        await t.Store.Interactions().UpsertMeetingsAsync(mailboxId, Sample.Meetings);
        return t;
    }

    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Interactions_round_trip_exactly_and_in_time_order(StoreProvider provider)
    {
        await using var t = await WithSample(provider);
        var read = new List<Interaction>();
        await foreach (var i in t.Store.Interactions().ReadInteractionsAsync("m1")) read.Add(i);

        Assert.Equal(Sample.Messages.Count + Sample.Meetings.Count, read.Count);
        Assert.True(read.Zip(read.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp), "not in time order");
        var messages = read.Where(i => i.Message is not null).Select(i => i.Message!).ToDictionary(m => m.Key);
        foreach (var original in Sample.Messages)
        {
            var m = messages[original.Key];
            Assert.Equal(original.Timestamp, m.Timestamp);
            Assert.Equal(original.Direction, m.Direction);
            Assert.Equal(original.From, m.From);
            Assert.Equal(original.Counterparts, m.Counterparts);
            Assert.Equal(original.RecipientCount, m.RecipientCount);
            Assert.Equal(original.OwnerRole, m.OwnerRole);
            Assert.Equal(original.ConversationId, m.ConversationId);
            Assert.Equal(original.IsReply, m.IsReply);
            Assert.Equal(original.Markers, m.Markers);
        }
        var meeting = read.First(i => i.Meeting is not null).Meeting!;
        var source = Sample.Meetings.Single(x => x.Key == meeting.Key);
        Assert.Equal(source.Attendees, meeting.Attendees);
        Assert.Equal((source.Start, source.End, source.IsCancelled, source.IsRecurring, source.OwnerResponse),
            (meeting.Start, meeting.End, meeting.IsCancelled, meeting.IsRecurring, meeting.OwnerResponse));
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Replaying_the_same_interactions_is_idempotent_and_profiles_match_the_in_memory_model(StoreProvider provider)
    {
        await using var t = await WithSample(provider);
        await t.Store.Interactions().UpsertMessagesAsync("m1", Sample.Messages.Take(500)); // replay
        await t.Store.Interactions().UpsertMeetingsAsync("m1", Sample.Meetings.Take(50));
        Assert.Equal((Sample.Messages.Count, (long)Sample.Meetings.Count), ((int)(await t.Store.CountInteractionsAsync("m1")).Messages, (await t.Store.CountInteractionsAsync("m1")).Meetings));

        var model = new RelationshipModel(new StageModelOptions());
        var stored = await t.Store.ProfileService(model).RecomputeAsync("m1", Sample.End);
        var inMemory = model.Compute([Sample.OwnerAddress],
            [.. Sample.Messages.Select(m => (Interaction)m), .. Sample.Meetings.Select(m => (Interaction)m)], Sample.End);
        Assert.Equal(inMemory.Select(p => (p.Address, p.Stage, p.Nurture, p.Strength, p.Evidence)),
            stored.Select(p => (p.Address, p.Stage, p.Nurture, p.Strength, p.Evidence)));

        var saved = await t.Store.ListProfilesAsync("m1");
        Assert.Equal(stored.Count, saved.Count);
        var first = await t.Store.GetProfileAsync("m1", stored[0].Address);
        Assert.NotNull(first);
        // The stored document reads back as written: every field, the decision and the timeline included.
        Assert.Equal(JsonSerializer.Serialize(StoredProfileFormat.From(stored[0]), StoredProfileJson.Default.StoredProfile),
            JsonSerializer.Serialize(first, StoredProfileJson.Default.StoredProfile));
        Assert.NotEmpty(first.Timeline);
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Mailboxes_are_kept_apart_and_erasing_one_leaves_the_other(StoreProvider provider)
    {
        await using var t = await WithSample(provider, "alice");
        await t.Store.Interactions().UpsertMailboxAsync(new StoredMailbox("bob", ["bob@x.example"], null, "test", DateTimeOffset.UnixEpoch));
        await t.Store.Interactions().UpsertMessagesAsync("bob", Sample.Messages.Take(10));
        await t.Store.Profiles().SetAutomatedOverrideAsync("alice", "x@y.example", true);

        Assert.Equal(10, (await t.Store.CountInteractionsAsync("bob")).Messages);
        await t.Store.DeleteMailboxDataAsync("alice");
        Assert.Equal((0L, 0L), await t.Store.CountInteractionsAsync("alice"));
        Assert.Null(await t.Store.Interactions().GetMailboxAsync("alice"));
        Assert.Empty(await t.Store.Profiles().GetAutomatedOverridesAsync("alice"));
        Assert.Equal(10, (await t.Store.CountInteractionsAsync("bob")).Messages);
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Deletes_remove_only_the_named_items_and_as_of_reads_cut_by_time(StoreProvider provider)
    {
        await using var t = await WithSample(provider);
        var victims = Sample.Messages.Take(3).Select(m => m.Key).Append("<never-stored@x>").ToList();
        await using (var tx = await t.Store.BeginAsync())
        {
            Assert.Equal(3, await t.Store.Interactions().DeleteAsync(tx, "m1", InteractionKind.Message, victims));
            Assert.Equal(1, await t.Store.Interactions().DeleteAsync(tx, "m1", InteractionKind.Meeting, [Sample.Meetings[0].Key]));
            await tx.CommitAsync();
        }

        var cut = Sample.Messages[Sample.Messages.Count / 2].Timestamp;
        int n = 0;
        await foreach (var i in t.Store.Interactions().ReadInteractionsAsync("m1", cut))
        {
            Assert.True(i.Timestamp < cut);
            n++;
        }
        Assert.Equal(Sample.Messages.Skip(3).Count(m => m.Timestamp < cut) + Sample.Meetings.Skip(1).Count(m => m.Start < cut), n);
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Migration_is_repeatable(StoreProvider provider)
    {
        await using var t = await WithSample(provider);
        await t.Store.MigrateAsync();
        await Task.WhenAll(t.Store.MigrateAsync(), t.Store.MigrateAsync());
        Assert.Equal(Sample.Messages.Count, (await t.Store.CountInteractionsAsync("m1")).Messages);
    }

    [Fact]
    public async Task Postgres_without_a_connection_string_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MailStore.Open(new StoreOptions { Provider = StoreProvider.Postgres }));
        Assert.Contains("Store:ConnectionString", error.Message);
        await Task.CompletedTask;
    }
}
