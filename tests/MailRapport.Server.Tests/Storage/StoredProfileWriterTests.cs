using System.Text.Json;
using MailRapport.Core;
using MailRapport.Core.Sample;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Storage;

/// <summary>
/// The stored profile's hand-written writer (<see cref="StoredProfileWriter"/>) against the source-generated serializer
/// it stands in for (<see cref="StoredProfileJson"/>): what it writes reads back to the same document, for every profile
/// of the sample mailbox and for documents with nulls, odd numbers, text that must be escaped and enum values outside
/// the names; it leaves out what reads as a default; full documents written before (nulls, zeros and all) still read.
/// </summary>
public sealed class StoredProfileWriterTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Every_sample_profile_is_written_as_the_generated_serializer_writes_it(int seed)
    {
        await using var t = await TestStore.SqliteAsync();
        var end = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var sample = SampleMailboxGenerator.Generate(new SampleOptions { Seed = seed, End = end });
        await t.Store.Interactions().UpsertMailboxAsync(new StoredMailbox("s", [sample.OwnerAddress], sample.OwnerDisplayName, "sample", end));
        await t.Store.Interactions().UpsertMessagesAsync("s", sample.Messages);
        await t.Store.Interactions().UpsertMeetingsAsync("s", sample.Meetings);
        var profiles = await t.Store.ProfileService().ComputeAsync("s", end.AddHours(9));

        Assert.True(profiles.Count > 20, $"{profiles.Count} profiles");
        Assert.Contains(profiles, p => p.Decision is not null);
        Assert.Contains(profiles, p => p.Flags != ContactFlags.None);
        foreach (var profile in profiles)
        {
            var stored = StoredProfileFormat.From(profile);
            var written = StoredProfileFormat.Serialize(profile);
            Assert.Equal(Generated(stored), Generated(StoredProfileFormat.Deserialize(StoredProfileFormat.Current, written)));
            Assert.True(written.Length < System.Text.Encoding.UTF8.GetByteCount(Generated(stored)), "nothing left out");
        }
    }

    public static TheoryData<string> Odd => new() { "nulls", "escapes", "numbers", "undefined enums" };

    [Theory]
    [MemberData(nameof(Odd))]
    public void Odd_documents_are_written_as_the_generated_serializer_writes_them(string kind)
    {
        var p = kind switch
        {
            "nulls" => new StoredProfile
            {
                Address = null!, Flags = null!, Evidence = null!, Reasons = null!, NextStep = null!, Timeline = null!, WaitingOnYou = null!,
                WaitingOnThem = null!, NextContact = null!, ReplyDrift = null!,
                Decision = new StoredDecision { Rapport = null!, Relationship = [null!], Window = null! },
            },
            "escapes" => new StoredProfile
            {
                Address = "zo\u00eb+\"quoted\"@x.example", DisplayName = "Zo\u00eb <a&b> \u2028 \ud83d\ude00 \\ '\t", Reasons = ["<script>", "caf\u00e9"],
                Flags = ["automated"], NextStep = "Say \"hi\"", AutomatedReason = "list-id \u00fc",
                WaitingOnYou = new StoredWaitingThreads { Summary = "\u00e9t\u00e9", Note = "\n" },
                ReplyDrift = new StoredReplyDrift { Mine = new StoredDriftLine { Summary = "\u0001" } },
            },
            "numbers" => new StoredProfile
            {
                Strength = 0.1 + 0.2, Harmony = int.MinValue, Depth = int.MaxValue, AsOf = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(-5)),
                Evidence = new StoredEvidence
                {
                    MeetingHours = 1e-7, SpanDays = 123456789.123, SilenceDays = -0.0, MedianReplyHoursMine = double.Epsilon, UsualGapDays = 1e300,
                    FirstInteraction = DateTimeOffset.MinValue, LastInteraction = DateTimeOffset.MaxValue, LastSent = new DateTimeOffset(2026, 5, 5, 0, 0, 0, 1, TimeSpan.Zero),
                },
                Decision = new StoredDecision
                {
                    Stage = Stage.Relationship, Rapport = [new StoredCriterion { Name = "n", Met = true, Value = 2.5, Required = 1.0 / 3, Detail = "d" }],
                    Window = new StoredWindow { From = DateTimeOffset.UnixEpoch, Months = 13, WholeHistory = true, Balance = 0.3333333333333333 },
                },
                Timeline = [new StoredMonth { Year = 2026, Month = 12, Sent = 1, Received = 2, Meetings = 3 }],
                NextContact = new StoredRhythm { Known = true, Gaps = 4, UsualGapDays = 7.25, NextDue = DateTimeOffset.UnixEpoch, OverdueFactor = 1.5 },
            },
            _ => new StoredProfile { Stage = (Stage)7, Nurture = (Nurture)(-1), Decision = new StoredDecision { Stage = (Stage)42 } },
        };
        Assert.Equal(Generated(p), Generated(StoredProfileFormat.Deserialize(StoredProfileFormat.Current, StoredProfileWriter.Serialize(p))));
    }

    [Fact]
    public void Defaults_are_left_out_and_other_values_kept()
    {
        var written = Text(StoredProfileWriter.Serialize(new StoredProfile
        {
            Address = "a@x.example", Evidence = new StoredEvidence { MessagesSent = 0, MedianReplyHoursMine = 0, SilenceDays = -0.0, LastSent = null },
            WaitingOnYou = new StoredWaitingThreads { Summary = "" }, NextContact = new StoredRhythm { Summary = null! },
        }));

        Assert.Equal(
            "{\"address\":\"a@x.example\",\"evidence\":{\"medianReplyHoursMine\":0,\"silenceDays\":-0}," +
            "\"nextStep\":\"\",\"asOf\":\"0001-01-01T00:00:00+00:00\",\"waitingOnYou\":{\"summary\":\"\"},\"waitingOnThem\":" +
            "{},\"nextContact\":{\"summary\":null},\"replyDrift\":{\"theirs\":{},\"mine\":{}}}",
            written);
    }

    /// <summary>Documents as the writer wrote them before it left defaults out (from GraphScanBench's synthetic mailbox: a person, an automated sender).</summary>
    public static TheoryData<string> FullDocuments => new()
    {
        """
        {"address":"person0@corp1.example","displayName":"Person0","stage":"contact","nurture":"active","flags":[],"harmony":18,"depth":29,"strength":23.2,"evidence":{"messagesSent":2,"messagesReceived":5,"sharedThreads":0,"sharedMeetings":0,"meetingHours":0,"firstInteraction":"2025-07-24T00:03:29+00:00","lastInteraction":"2026-10-18T13:27:27+00:00","medianReplyHoursMine":null,"medianReplyHoursTheirs":null,"repliesMine":0,"repliesTheirs":0,"answeredByMeetingMine":0,"answeredByMeetingTheirs":0,"activeMonths":7,"spanDays":451.6,"usualGapDays":88.8,"silenceDays":13.7,"lastSent":"2026-01-01T02:18:00+00:00","lastReceived":"2026-10-18T13:27:27+00:00"},"reasons":["Contact: no sustained two-way exchange yet (only 2 message(s) one way; no sign yet that both of you answer the other).","Mail both ways: 2 sent, 5 received."],"nextStep":"Answer their last message: rapport starts when both sides reply.","decision":{"stage":"contact","rapport":[{"name":"both-write","met":false,"value":2,"required":3,"detail":"2 sent and 5 received over the months measured"},{"name":"balanced","met":true,"value":0.3,"required":0.25,"detail":"the quieter side writes 0.3 of what the busier side writes"},{"name":"both-answer","met":false,"value":0,"required":5,"detail":"answers: yours 0, theirs 0; 0 thread(s) both wrote in; 0 message(s) back and forth"},{"name":"responsive","met":true,"value":0,"required":3,"detail":"reply speed not judged: 0 timed answer(s) from you, 0 from them (needs 3 each way)"},{"name":"met-in-person","met":false,"value":0,"required":2,"detail":"0 small meeting(s) together, mail both ways: yes"}],"relationship":[{"name":"sustained","met":true,"value":7,"required":5,"detail":"in touch over 15 months in 7 active months (needs 6 months and 5 months)"},{"name":"shared-experiences","met":false,"value":0,"required":6,"detail":"0 thread(s) both wrote in and 0 meeting(s)"},{"name":"reciprocal","met":false,"value":2,"required":5,"detail":"2 message(s) each way over the months measured, 0 small meeting(s)"},{"name":"responsive","met":true,"value":0,"required":3,"detail":"reply speed not judged: 0 timed answer(s) from you, 0 from them (needs 3 each way)"}],"window":{"from":"2025-07-01T00:00:00+00:00","to":"2026-12-01T00:00:00+00:00","months":17,"wholeHistory":true,"messagesSent":2,"messagesReceived":5,"balance":0.3,"backAndForth":0}},"automatedReason":null,"asOf":"2026-11-01T06:00:00+00:00","timeline":[{"year":2025,"month":7,"sent":0,"received":1,"meetings":0},{"year":2025,"month":8,"sent":0,"received":1,"meetings":0},{"year":2025,"month":10,"sent":1,"received":0,"meetings":0},{"year":2026,"month":1,"sent":1,"received":0,"meetings":0},{"year":2026,"month":3,"sent":0,"received":1,"meetings":0},{"year":2026,"month":7,"sent":0,"received":1,"meetings":0},{"year":2026,"month":10,"sent":0,"received":1,"meetings":0}],"waitingOnYou":{"threads":1,"oldestSince":"2026-10-18T13:27:27+00:00","oldestDays":13.7,"usualReplyHours":48,"usualReplyIsDefault":true,"replySamples":0,"summary":"Waiting on you: 1 thread, oldest 14 days; too few answers from you to them to know the usual time (0 so far), so counted after 2 days.","note":null},"waitingOnThem":{"threads":0,"oldestSince":null,"oldestDays":null,"usualReplyHours":48,"usualReplyIsDefault":true,"replySamples":0,"summary":null,"note":null},"nextContact":{"known":true,"gaps":6,"usualGapDays":88.8,"nextDue":"2027-01-15T08:39:26.9999999+00:00","overdueFactor":0.2,"olderThanHistory":false,"summary":"Usually every 3 months; next contact due by 15 Jan 2027."},"replyDrift":{"theirs":{"flagged":false,"earlierSamples":0,"recentSamples":0,"earlierMedianHours":null,"recentMedianHours":null,"ratio":null,"summary":null},"mine":{"flagged":false,"earlierSamples":0,"recentSamples":0,"earlierMedianHours":null,"recentMedianHours":null,"ratio":null,"summary":null}}}
        """,
        """
        {"address":"person129@corp5.example","displayName":"Person person129","stage":"contact","nurture":"active","flags":["automated"],"harmony":31,"depth":48,"strength":0,"evidence":{"messagesSent":1,"messagesReceived":2,"sharedThreads":0,"sharedMeetings":2,"meetingHours":1.5,"firstInteraction":"2025-01-08T12:34:22+00:00","lastInteraction":"2026-07-25T23:00:00+00:00","medianReplyHoursMine":null,"medianReplyHoursTheirs":null,"repliesMine":0,"repliesTheirs":0,"answeredByMeetingMine":0,"answeredByMeetingTheirs":0,"activeMonths":5,"spanDays":563.4,"usualGapDays":185.5,"silenceDays":98.3,"lastSent":"2025-01-08T12:34:22+00:00","lastReceived":"2026-02-25T06:07:23+00:00"},"reasons":["Automated sender: 1 of 2 messages carry mailing-list or bulk headers (List-Id, List-Unsubscribe).","Mail both ways: 1 sent, 2 received.","2 shared meeting(s), 1.5 h."],"nextStep":"Nothing to do: automated senders are kept out of the stages. Mark the address as a person if this is wrong.","decision":{"stage":"contact","rapport":[{"name":"both-write","met":false,"value":1,"required":3,"detail":"1 sent and 2 received over the months measured"},{"name":"balanced","met":true,"value":0.5,"required":0.25,"detail":"the quieter side writes 0.5 of what the busier side writes"},{"name":"both-answer","met":false,"value":0,"required":5,"detail":"answers: yours 0, theirs 0; 0 thread(s) both wrote in; 0 message(s) back and forth"},{"name":"responsive","met":true,"value":0,"required":3,"detail":"reply speed not judged: 0 timed answer(s) from you, 0 from them (needs 3 each way)"},{"name":"met-in-person","met":true,"value":2,"required":2,"detail":"2 small meeting(s) together, mail both ways: yes"}],"relationship":[{"name":"sustained","met":true,"value":5,"required":5,"detail":"in touch over 19 months in 5 active months (needs 6 months and 5 months)"},{"name":"shared-experiences","met":false,"value":2,"required":6,"detail":"0 thread(s) both wrote in and 2 meeting(s)"},{"name":"reciprocal","met":false,"value":1,"required":5,"detail":"1 message(s) each way over the months measured, 2 small meeting(s)"},{"name":"responsive","met":true,"value":0,"required":3,"detail":"reply speed not judged: 0 timed answer(s) from you, 0 from them (needs 3 each way)"}],"window":{"from":"2025-01-01T00:00:00+00:00","to":"2026-12-01T00:00:00+00:00","months":23,"wholeHistory":true,"messagesSent":1,"messagesReceived":2,"balance":0.5,"backAndForth":0}},"automatedReason":"1 of 2 messages carry mailing-list or bulk headers (List-Id, List-Unsubscribe).","asOf":"2026-11-01T06:00:00+00:00","timeline":[{"year":2025,"month":1,"sent":1,"received":0,"meetings":0},{"year":2025,"month":3,"sent":0,"received":1,"meetings":0},{"year":2025,"month":5,"sent":0,"received":0,"meetings":1},{"year":2026,"month":2,"sent":0,"received":1,"meetings":0},{"year":2026,"month":7,"sent":0,"received":0,"meetings":1}],"waitingOnYou":{"threads":0,"oldestSince":null,"oldestDays":null,"usualReplyHours":0,"usualReplyIsDefault":false,"replySamples":0,"summary":null,"note":null},"waitingOnThem":{"threads":0,"oldestSince":null,"oldestDays":null,"usualReplyHours":0,"usualReplyIsDefault":false,"replySamples":0,"summary":null,"note":null},"nextContact":{"known":false,"gaps":0,"usualGapDays":null,"nextDue":null,"overdueFactor":null,"olderThanHistory":false,"summary":"No rhythm expected: automated sender."},"replyDrift":{"theirs":{"flagged":false,"earlierSamples":0,"recentSamples":0,"earlierMedianHours":null,"recentMedianHours":null,"ratio":null,"summary":null},"mine":{"flagged":false,"earlierSamples":0,"recentSamples":0,"earlierMedianHours":null,"recentMedianHours":null,"ratio":null,"summary":null}}}
        """,
    };

    [Theory]
    [MemberData(nameof(FullDocuments))]
    public void Full_documents_written_before_read_as_their_compact_form_does(string full)
    {
        var old = StoredProfileFormat.Deserialize(StoredProfileFormat.Current, System.Text.Encoding.UTF8.GetBytes(full));
        var compact = StoredProfileWriter.Serialize(old);

        Assert.Equal(full, Generated(old)); // the full form is what the generated serializer writes
        Assert.Equal(full, Generated(StoredProfileFormat.Deserialize(StoredProfileFormat.Current, compact)));
        Assert.True(compact.Length < full.Length * 0.85, $"{compact.Length} of {full.Length} bytes");
    }

    private static string Generated(StoredProfile p) => JsonSerializer.Serialize(p, StoredProfileJson.Default.StoredProfile);

    private static string Text(byte[] utf8) => System.Text.Encoding.UTF8.GetString(utf8);
}
