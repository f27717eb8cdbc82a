using System.Text.Json;
using MailRapport.Core;
using MailRapport.Core.Sample;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Storage;

/// <summary>
/// The stored profile's hand-written writer (<see cref="StoredProfileWriter"/>) against the source-generated serializer
/// it stands in for (<see cref="StoredProfileJson"/>): the same bytes for every profile of the sample mailbox and for
/// documents with nulls, odd numbers, text that must be escaped and enum values outside the names.
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
            Assert.Equal(Generated(stored), Text(StoredProfileFormat.Serialize(profile)));
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
        Assert.Equal(Generated(p), Text(StoredProfileWriter.Serialize(p)));
    }

    private static string Generated(StoredProfile p) => JsonSerializer.Serialize(p, StoredProfileJson.Default.StoredProfile);

    private static string Text(byte[] utf8) => System.Text.Encoding.UTF8.GetString(utf8);
}
