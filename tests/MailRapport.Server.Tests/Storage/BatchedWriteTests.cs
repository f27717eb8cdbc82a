using MailRapport.Core;
using MailRapport.Core.Sample;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Storage;

/// <summary>Writes in batches (PostgreSQL: one round trip per 500 rows) behave as row-by-row writes did, on both stores.</summary>
public sealed class BatchedWriteTests
{
    private static readonly SampleMailbox Sample = SampleMailboxGenerator.Generate(new SampleOptions { Seed = 5, Correspondents = 40 });

    public static TheoryData<StoreProvider> Providers => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Several_batches_with_repeated_keys_store_the_last_of_each_and_mark_only_real_changes(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        var interactions = t.Store.Interactions();
        await interactions.UpsertMailboxAsync(new StoredMailbox("m1", [Sample.OwnerAddress], null, "test", DateTimeOffset.UnixEpoch));
        var messages = Sample.Messages.Take(1_234).ToList();
        Assert.True(messages.Count > 2 * RowBatch.Size, "needs more than two batches");
        // The first 10 keys come again at the end of the same call with another recipient count: the later one wins.
        var repeated = messages.Take(10).Select(m => m with { RecipientCount = m.RecipientCount + 7 }).ToList();
        await interactions.UpsertMessagesAsync("m1", [.. messages, .. repeated]);

        var stored = new Dictionary<string, MessageInteraction>();
        await foreach (var i in interactions.ReadInteractionsAsync("m1")) stored[i.Message!.Key] = i.Message;
        Assert.Equal(messages.Count, stored.Count);
        Assert.All(repeated, r => Assert.Equal(r.RecipientCount, stored[r.Key].RecipientCount));
        Assert.All(messages.Skip(10), m => Assert.Equal(m.Counterparts, stored[m.Key].Counterparts));

        // The same rows again: nothing written, no change number taken.
        var (seq, _, _) = await interactions.ChangesSinceAsync("m1", 0);
        await interactions.UpsertMessagesAsync("m1", [.. messages.Skip(10), .. repeated]);
        Assert.Equal(seq, (await interactions.ChangesSinceAsync("m1", 0)).Sequence);

        // One changed row (new recipients): one change number, the old and the new correspondents marked.
        var before = messages.First(m => m.Direction == Direction.Outgoing && m.Key != repeated[0].Key && !repeated.Any(r => r.Key == m.Key));
        var after = before with { Counterparts = [new Counterpart("new.person@x.example", null, RecipientRole.To)] };
        await interactions.UpsertMessagesAsync("m1", [after]);
        var (next, touched, all) = await interactions.ChangesSinceAsync("m1", seq);
        Assert.False(all);
        Assert.Equal(seq + 1, next);
        Assert.Equal(InteractionPeople.Of(before).Append("new.person@x.example").Distinct().Order(), touched.Order());

        // Deleting more than a batch returns every row deleted and marks their correspondents.
        await using (var tx = await t.Store.BeginAsync())
        {
            Assert.Equal(700, await interactions.DeleteAsync(tx, "m1", InteractionKind.Message, messages.Take(700).Select(m => m.Key).Append("<absent@x>")));
            await tx.CommitAsync();
        }
        var (_, deleted, _) = await interactions.ChangesSinceAsync("m1", next);
        Assert.Equal(messages.Take(700).SelectMany(m => InteractionPeople.Of(m == before ? after : m)).Distinct().Order(), deleted.Order());
        Assert.Equal(messages.Count - 700, (await t.Store.CountInteractionsAsync("m1")).Messages);
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task A_write_touching_many_correspondents_marks_the_mailbox_all_changed_and_later_small_ones_are_listed_again(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        var interactions = t.Store.Interactions();
        await interactions.UpsertMailboxAsync(new StoredMailbox("m1", ["me@x.example"], null, "test", DateTimeOffset.UnixEpoch));
        MessageInteraction From(string address, int n) => new()
        {
            Key = $"<{n}@x.example>", Timestamp = DateTimeOffset.UnixEpoch.AddHours(n), Direction = Direction.Incoming, From = address,
            Counterparts = [new Counterpart(address, null, RecipientRole.From)], RecipientCount = 1,
        };
        // Exactly ManyAddresses correspondents: still listed one by one.
        await interactions.UpsertMessagesAsync("m1", Enumerable.Range(0, InteractionStore.ManyAddresses).Select(n => From($"p{n}@x.example", n)));
        var (first, listed, all) = await interactions.ChangesSinceAsync("m1", 0);
        Assert.False(all);
        Assert.Equal(InteractionStore.ManyAddresses, listed.Count);

        // One more than that in one write: the mailbox is marked, no addresses listed.
        await interactions.UpsertMessagesAsync("m1", Enumerable.Range(1000, InteractionStore.ManyAddresses + 1).Select(n => From($"q{n}@x.example", n)));
        var (second, none, allNow) = await interactions.ChangesSinceAsync("m1", first);
        Assert.True(allNow);
        Assert.Empty(none);
        Assert.Equal(first + 1, second);
        Assert.True((await interactions.ChangesSinceAsync("m1", 0)).All, "a recompute that stood before the big write must still see it");

        // A small write after it: seen from after the big write, listed again.
        await interactions.UpsertMessagesAsync("m1", [From("p1@x.example", 5000)]);
        var (third, one, allAfter) = await interactions.ChangesSinceAsync("m1", second);
        Assert.False(allAfter);
        Assert.Equal(["p1@x.example"], one);
        Assert.Equal(second + 1, third);
    }

    [PostgresTheory]
    [MemberData(nameof(Providers))]
    public async Task Profiles_replaced_in_batches_read_back_whole_and_an_update_touches_only_its_rows(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        var model = new RelationshipModel(new StageModelOptions());
        var profiles = model.Compute([Sample.OwnerAddress],
            [.. Sample.Messages.Select(m => (Interaction)m), .. Sample.Meetings.Select(m => (Interaction)m)], Sample.End);
        var many = Enumerable.Range(0, 1 + 2 * RowBatch.Size / profiles.Count)
            .SelectMany(n => profiles.Select(p => p with { Address = $"{n}.{p.Address}" })).ToList();
        Assert.True(many.Count > 2 * RowBatch.Size);
        await t.Store.Profiles().ReplaceAsync("m1", many, MailboxCoverage.Empty, Sample.End);
        Assert.Equal(many.Count, (await t.Store.ListProfilesAsync("m1")).Count);

        var changed = many[3] with { DisplayName = "Renamed" };
        var state = new ProfileState(1, Sample.End, Sample.End, "facts");
        await t.Store.Profiles().UpdateAsync("m1", [changed], [many[4].Address], MailboxCoverage.Empty, state);
        Assert.Equal("Renamed", (await t.Store.GetProfileAsync("m1", changed.Address))!.DisplayName);
        Assert.Null(await t.Store.GetProfileAsync("m1", many[4].Address));
        Assert.Equal(many[5].DisplayName, (await t.Store.GetProfileAsync("m1", many[5].Address))!.DisplayName);
        Assert.Equal(many.Count - 1, (await t.Store.ListProfilesAsync("m1")).Count);
        Assert.Equal(state, await t.Store.Profiles().GetStateAsync("m1"));
        // Profiles replaced by other means forget the state: the next recompute is a full one.
        await t.Store.Profiles().ReplaceAsync("m1", many, MailboxCoverage.Empty, Sample.End);
        Assert.Null(await t.Store.Profiles().GetStateAsync("m1"));
    }
}
