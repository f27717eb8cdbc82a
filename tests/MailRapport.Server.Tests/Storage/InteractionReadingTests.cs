using MailRapport.Core;
using MailRapport.Core.Sample;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Storage;

/// <summary>
/// SQLite reads interactions through its native statement, PostgreSQL through its data reader: the two give the same
/// interactions, value for value and in the same order, including nulls, text that is not ASCII, empty lists and a cut.
/// </summary>
public sealed class InteractionReadingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly MessageInteraction[] OddMessages =
    [
        new()
        {
            Key = "odd-1", Timestamp = T0, Direction = Direction.Incoming, From = "zo\u00eb@x.example", FromDisplayName = null,
            Counterparts = [], RecipientCount = 0, ConversationId = null, Markers = AutomationMarkers.ListId | AutomationMarkers.Bulk,
        },
        new()
        {
            Key = "odd-2 \ud83d\ude00", Timestamp = T0, Direction = Direction.Outgoing, From = "owner@x.example", FromDisplayName = "Ow\u00f1er \"O\" \\",
            Counterparts = [new("a@x.example", null, RecipientRole.To), new("b@x.example", "B\u2028b", RecipientRole.Bcc), new("owner@x.example", "", RecipientRole.From)],
            RecipientCount = 2, OwnerRole = RecipientRole.From, ConversationId = "", IsReply = true,
        },
        new()
        {
            Key = "odd-3", Timestamp = T0.AddDays(40), Direction = Direction.Incoming, From = "late@x.example", FromDisplayName = "",
            Counterparts = [new("owner@x.example", "Owner", RecipientRole.Cc)], RecipientCount = 1, OwnerRole = RecipientRole.Cc, ConversationId = "c\u00e9",
        },
    ];

    private static readonly MeetingInteraction[] OddMeetings =
    [
        new()
        {
            Key = "meet-1", Organizer = "zo\u00eb@x.example", OrganizerDisplayName = null, Attendees = [], Start = T0, End = T0.AddHours(1),
            IsCancelled = true, OwnerResponse = AttendeeResponse.None,
        },
        new()
        {
            Key = "meet-2", Organizer = "owner@x.example", OrganizerDisplayName = "\u00c5sa",
            Attendees = [new("a@x.example", null, AttendeeKind.Optional, AttendeeResponse.Declined), new("room@x.example", "R\u00fcm", AttendeeKind.Resource, AttendeeResponse.None)],
            Start = T0.AddDays(1), End = T0.AddDays(1), IsRecurring = true,
        },
    ];

    public static TheoryData<bool> Cuts => new() { false, true };

    [PostgresTheory]
    [MemberData(nameof(Cuts))]
    public async Task Both_stores_read_the_same_interactions_in_the_same_order(bool cut)
    {
        var sample = SampleMailboxGenerator.Generate(new SampleOptions { Seed = 3, Correspondents = 40 });
        DateTimeOffset? before = cut ? T0.AddDays(1) : null;
        var read = new Dictionary<StoreProvider, List<string>>();
        foreach (var provider in new[] { StoreProvider.Sqlite, StoreProvider.Postgres })
        {
            await using var t = await TestStore.CreateAsync(provider);
            var interactions = t.Store.Interactions();
            await interactions.UpsertMailboxAsync(new StoredMailbox("m", [sample.OwnerAddress], "Owner", "test", DateTimeOffset.UnixEpoch));
            await interactions.UpsertMessagesAsync("m", sample.Messages.Concat(OddMessages));
            await interactions.UpsertMeetingsAsync("m", sample.Meetings.Concat(OddMeetings));
            var rows = new List<string>();
            await foreach (var i in interactions.ReadInteractionsAsync("m", before)) rows.Add(Describe(i));
            read[provider] = rows;
        }

        var expected = sample.Messages.Concat(OddMessages).Count(m => before is null || m.Timestamp < before) +
                       sample.Meetings.Concat(OddMeetings).Count(m => before is null || m.Start < before);
        Assert.Equal(expected, read[StoreProvider.Sqlite].Count);
        Assert.Equal(read[StoreProvider.Postgres], read[StoreProvider.Sqlite]);
        foreach (var odd in OddMessages.Where(m => before is null || m.Timestamp < before))
            Assert.Contains(Describe(odd), read[StoreProvider.Sqlite]);
        foreach (var odd in OddMeetings.Where(m => before is null || m.Start < before))
            Assert.Contains(Describe(odd), read[StoreProvider.Sqlite]);
    }

    /// <summary>Every field (lists item by item, null apart from empty).</summary>
    private static string Describe(Interaction i) => i.Message is { } m
        ? $"message {m.Key}|{m.Timestamp:O}|{m.Direction}|{m.From}|{m.FromDisplayName ?? "<null>"}|" +
          string.Join(";", m.Counterparts.Select(c => $"{c.Address},{c.DisplayName ?? "<null>"},{c.Role}")) +
          $"|{m.RecipientCount}|{m.OwnerRole}|{m.ConversationId ?? "<null>"}|{m.IsReply}|{m.Markers}"
        : $"meeting {i.Meeting!.Key}|{i.Meeting.Organizer}|{i.Meeting.OrganizerDisplayName ?? "<null>"}|" +
          string.Join(";", i.Meeting.Attendees.Select(a => $"{a.Address},{a.DisplayName ?? "<null>"},{a.Kind},{a.Response}")) +
          $"|{i.Meeting.Start:O}|{i.Meeting.End:O}|{i.Meeting.IsCancelled}|{i.Meeting.IsRecurring}|{i.Meeting.OwnerResponse}";
}
