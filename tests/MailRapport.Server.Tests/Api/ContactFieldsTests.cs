using System.Reflection;
using MailRapport.Core;
using MailRapport.Server.Api;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Tests.Api;

/// <summary>
/// A field added to Core's profile must be stored and answered: each Core type on the profile has a stored type and a
/// contract type with the same members (the contract adds the stage history). Fails, naming the field, until both
/// mappings carry it (docs/architecture.md).
/// </summary>
public sealed class ContactFieldsTests
{
    public static TheoryData<Type, Type, Type> Layers => new()
    {
        { typeof(ContactProfile), typeof(StoredProfile), typeof(ContactResponse) },
        { typeof(Evidence), typeof(StoredEvidence), typeof(EvidenceResponse) },
        { typeof(StageDecision), typeof(StoredDecision), typeof(DecisionResponse) },
        { typeof(Criterion), typeof(StoredCriterion), typeof(CriterionResponse) },
        { typeof(EvidenceWindow), typeof(StoredWindow), typeof(EvidenceWindowResponse) },
        { typeof(MonthActivity), typeof(StoredMonth), typeof(MonthActivityResponse) },
        { typeof(WaitingThreads), typeof(StoredWaitingThreads), typeof(WaitingThreadsResponse) },
        { typeof(ContactRhythm), typeof(StoredRhythm), typeof(ContactRhythmResponse) },
        { typeof(ReplyDrift), typeof(StoredReplyDrift), typeof(ReplyDriftResponse) },
        { typeof(DriftLine), typeof(StoredDriftLine), typeof(DriftLineResponse) },
    };

    private static string[] Members(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Except(["StageHistory"]).Order().ToArray();

    [Theory]
    [MemberData(nameof(Layers))]
    public void Core_stored_and_contract_types_have_the_same_members(Type core, Type stored, Type contract)
    {
        Assert.Equal(Members(core), Members(stored));
        Assert.Equal(Members(core), Members(contract));
    }

    [Fact]
    public void Every_member_survives_both_mappings()
    {
        var at = new DateTimeOffset(2026, 5, 1, 8, 30, 0, TimeSpan.Zero);
        var profile = new ContactProfile
        {
            Address = "a@b.example", DisplayName = "A", Stage = Stage.Rapport, Nurture = Nurture.Cooling,
            Flags = ContactFlags.OneWayInbound | ContactFlags.PartialHistory, Harmony = 61, Depth = 42, Strength = 57.3,
            Evidence = new Evidence
            {
                MessagesSent = 1, MessagesReceived = 2, SharedThreads = 3, SharedMeetings = 4, MeetingHours = 5.5, FirstInteraction = at,
                LastInteraction = at.AddDays(1), MedianReplyHoursMine = 6.5, MedianReplyHoursTheirs = 7.5, RepliesMine = 8, RepliesTheirs = 9,
                AnsweredByMeetingMine = 10, AnsweredByMeetingTheirs = 11, ActiveMonths = 12, SpanDays = 13.5, UsualGapDays = 14.5,
                SilenceDays = 15.5, LastSent = at.AddDays(2), LastReceived = at.AddDays(3),
            },
            Reasons = ["r1", "r2"], NextStep = "next",
            Decision = new StageDecision
            {
                Stage = Stage.Rapport,
                Rapport = [new Criterion(Criteria.BothWrite, true, 3, 2, "d1")],
                Relationship = [new Criterion(Criteria.Sustained, false, 1, 6, "d2")],
                Window = new EvidenceWindow { From = at, To = at.AddMonths(1), Months = 1, WholeHistory = true, MessagesSent = 16, MessagesReceived = 17, Balance = 0.5, BackAndForth = 18 },
            },
            AutomatedReason = "why", AsOf = at.AddDays(4), Timeline = [new MonthActivity(2026, 5, 19, 20, 21)],
            WaitingOnYou = new WaitingThreads
            {
                Threads = 22, OldestSince = at.AddDays(5), OldestDays = 23.5, UsualReplyHours = 24.5, UsualReplyIsDefault = true, ReplySamples = 25,
                Summary = "w1", Note = "n1",
            },
            WaitingOnThem = new WaitingThreads { Threads = 26, UsualReplyHours = 27.5, ReplySamples = 28, Note = "n2" },
            NextContact = new ContactRhythm
            {
                Known = true, Gaps = 29, UsualGapDays = 30.5, NextDue = at.AddDays(6), OverdueFactor = 31.5, OlderThanHistory = true, Summary = "s1",
            },
            ReplyDrift = new ReplyDrift
            {
                Theirs = new DriftLine { Flagged = true, EarlierSamples = 32, RecentSamples = 33, EarlierMedianHours = 34.5, RecentMedianHours = 35.5, Ratio = 36.5, Summary = "d3" },
                Mine = new DriftLine { EarlierSamples = 37, RecentSamples = 38 },
            },
        };
        var response = ContactMapping.ToResponse(profile);
        Assert.Equal(Flatten(profile).Replace("\"flags\":\"OneWayInbound, PartialHistory\"", "\"flags\":[\"oneWayInbound\",\"partialHistory\"]"),
            Flatten(response));
    }

    /// <summary>Every scalar with its path, in one string, enums by name: two objects with the same members and values give the same text.</summary>
    private static string Flatten(object value)
    {
        var parts = new List<string>();
        void Walk(string path, object? v)
        {
            switch (v)
            {
                case null or string or bool or int or long or double or DateTimeOffset:
                    parts.Add($"\"{path}\":{(v is string s ? $"\"{s}\"" : v is null ? "null" : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))}");
                    break;
                case Enum e:
                    parts.Add($"\"{path}\":\"{e}\"");
                    break;
                case System.Collections.IEnumerable list when v is not ContactFlags:
                    var items = list.Cast<object?>().ToList();
                    if (items.All(i => i is string)) { parts.Add($"\"{path}\":[{string.Join(",", items.Select(i => $"\"{i}\""))}]"); break; }
                    for (int i = 0; i < items.Count; i++) Walk($"{path}[{i}]", items[i]);
                    break;
                default:
                    foreach (var p in v.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "StageHistory").OrderBy(p => p.Name))
                        Walk(path.Length == 0 ? JsonName(p.Name) : $"{path}.{JsonName(p.Name)}", p.GetValue(v));
                    break;
            }
        }
        Walk("", value);
        return string.Join(",", parts.Order(StringComparer.Ordinal));
    }

    private static string JsonName(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
