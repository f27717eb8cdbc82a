namespace MailRapport.Core.Tests;

/// <summary>
/// The model knows what the mailbox holds: balance and replies are judged only over months where both directions are
/// stored; reply speed decides nothing on a sample or two; and the stage comes with the criteria that decided it.
/// </summary>
public sealed class CoverageAndDecisionTests
{
    private const string A = "ann@partner.example";

    /// <summary>
    /// A year of mail to Ann, then three months of exchange both ways. In a mailbox that kept received mail only for
    /// those last three months, her earlier answers may simply have been deleted: the tie is judged on the three months.
    /// </summary>
    private static History YearOfMailThenThreeMonthsBothWays()
    {
        var h = new History();
        for (int week = 0; week < 40; week++) h.Out(A, week * 7, $"old{week}");
        for (int m = 0; m < 3; m++)
        {
            h.Exchange(A, 280 + m * 30, 4, 5, ownerStarts: m % 2 == 0, conversation: $"recent{m}");
            h.Exchange(A, 290 + m * 30, 2, 8, ownerStarts: false, conversation: $"recent-b{m}");
        }
        return h;
    }

    [Fact]
    public void A_tie_is_not_lopsided_where_the_mailbox_holds_no_received_mail()
    {
        var h = YearOfMailThenThreeMonthsBothWays();
        // Received mail stored only from day 270 on (a retention policy), sent mail all year.
        var pruned = new RelationshipModel(new StageModelOptions()).Compute([History.Owner],
            [.. h.Items, .. History.Background(-7, 370, received: false), .. History.Background(270, 370, sent: false)], History.At(370));
        var p = pruned.Single(x => x.Address == A);

        // A year in touch, reciprocal where it can be seen, six threads both wrote in.
        Assert.Equal(Stage.Relationship, p.Stage);
        Assert.True(p.Flags.HasFlag(ContactFlags.PartialHistory));
        Assert.InRange(p.Decision!.Window.Months, 3, 5); // the months from day 270 on, not the year
        Assert.Equal(History.At(270).Month, p.Decision.Window.From!.Value.Month);
        Assert.Contains(p.Reasons, r => r.Contains("measured over"));
        Assert.DoesNotContain(p.Reasons, r => r.Contains("lopsided"));

        // The same mail in a mailbox that stores everything: her silence for nine months is real, and it is lopsided.
        var complete = h.Profile(A, 370);
        Assert.Equal(Stage.Contact, complete.Stage);
        Assert.False(complete.Flags.HasFlag(ContactFlags.PartialHistory));
        Assert.Contains(complete.Reasons, r => r.Contains("lopsided"));
        var balanced = complete.Decision!.Rapport.Single(c => c.Name == Criteria.Balanced);
        Assert.False(balanced.Met);
        Assert.True(balanced.Value < balanced.Required);
    }

    [Fact]
    public void Strength_compares_both_sides_only_where_the_mailbox_holds_both()
    {
        const string B = "bob@partner.example";
        var h = new History();
        // Ann: I wrote to her all year and still do; in the months that store received mail she never writes back.
        for (int week = 0; week < 52; week++) h.Out(A, week * 7, $"ann{week}");
        // Bob: a few mails from me early on, and in the stored months he writes and I answer.
        for (int i = 0; i < 3; i++) h.Out(B, i * 20, $"bob-old{i}");
        for (int i = 0; i < 4; i++) h.Exchange(B, 285 + i * 20, 2, 6, ownerStarts: false, conversation: $"bob{i}");
        var pruned = new RelationshipModel(new StageModelOptions()).Compute([History.Owner],
            [.. h.Items, .. History.Background(-7, 370, received: false), .. History.Background(270, 370, sent: false)], History.At(370));
        var ann = pruned.Single(x => x.Address == A);
        var bob = pruned.Single(x => x.Address == B);

        // Over the whole history Ann has the larger volume (52 mails against Bob's 11), but where answers would be
        // stored she has none: Bob, who writes back there, ranks higher.
        Assert.True(ann.Evidence.MessagesSent + ann.Evidence.MessagesReceived > bob.Evidence.MessagesSent + bob.Evidence.MessagesReceived);
        Assert.Equal(0, ann.Decision!.Window.MessagesReceived);
        Assert.True(bob.Strength > ann.Strength, $"bob {bob.Strength} should outrank ann {ann.Strength}");

        // In a mailbox that stores everything the whole history counts: the same mail keeps its whole-history engagement.
        var complete = h.Profiles(370);
        Assert.True(complete.Single(x => x.Address == A).Decision!.Window.WholeHistory);
    }

    [Fact]
    public void Without_any_month_holding_both_directions_nothing_is_called_one_way()
    {
        var h = new History();
        for (int i = 0; i < 12; i++) h.In(A, i * 10, $"t{i}");
        // The mailbox holds no sent mail at all (the sent folder was not read).
        var p = new RelationshipModel(new StageModelOptions()).Compute([History.Owner],
            [.. h.Items, .. History.Background(-7, 130, sent: false)], History.At(130)).Single(x => x.Address == A);

        Assert.Equal(Stage.Contact, p.Stage);
        Assert.False(p.Flags.HasFlag(ContactFlags.OneWayInbound));
        Assert.True(p.Flags.HasFlag(ContactFlags.PartialHistory));
        Assert.Equal(0, p.Decision!.Window.Months);
        Assert.Contains(p.Reasons, r => r.Contains("cannot be seen") && r.Contains("no sent mail stored"));
        Assert.DoesNotContain(p.Reasons, r => r.StartsWith("One-way"));
        Assert.Contains("12 received from them; none of your mail to them is stored.", p.Reasons);
    }

    [Fact]
    public void Mailbox_coverage_is_described_month_by_month()
    {
        var builder = new RelationshipModel(new StageModelOptions()).CreateBuilder([History.Owner]);
        // Sent mail every week of 2024; received mail only in October to December.
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var items = History.Background(0, 366, received: false)
            .Concat(History.Background((new DateTimeOffset(2024, 10, 1, 0, 0, 0, TimeSpan.Zero) - History.Origin).TotalDays, 366, sent: false))
            .OrderBy(i => i.Timestamp);
        foreach (var i in items) builder.Add(i);
        var coverage = builder.Coverage(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(12, coverage.SentMonths);
        Assert.Equal(3, coverage.ReceivedMonths);
        Assert.Equal("received mail stored Oct–Dec 2024 only; sent mail stored Jan–Dec 2024; no calendar stored", coverage.Describe());
        Assert.True(coverage.BothStoredIn(MonthIndex.Of(2024, 11)));
        Assert.False(coverage.BothStoredIn(MonthIndex.Of(2024, 3)));
        Assert.Equal(start.Year, coverage.Months[0].Year);
    }

    [Fact]
    public void A_month_with_a_trickle_of_mail_next_to_busy_months_is_not_stored()
    {
        var builder = new RelationshipModel(new StageModelOptions()).CreateBuilder([History.Owner]);
        var h = new History();
        // 40 received a month in March and April, 1 in January (a message kept from a deleted inbox).
        h.In("x@other.example", 10);
        for (int i = 0; i < 40; i++) h.In($"p{i}@other.example", 60 + i * 0.5).In($"q{i}@other.example", 91 + i * 0.5);
        foreach (var i in h.Items.OrderBy(i => i.Timestamp)) builder.Add(i);
        var coverage = builder.Coverage(History.At(130));
        Assert.Equal([false, true, true], coverage.Months.Select(m => m.ReceivedStored).ToArray());
    }

    public static TheoryData<int, double, Stage, bool> ReplySamples => new()
    {
        // samples of slow answers each way, hours, stage, speed judged
        { 1, 300, Stage.Rapport, false },  // one slow answer each way does not make a tie slow
        { 2, 300, Stage.Rapport, false },
        { 3, 300, Stage.Contact, true },   // three slow answers each way do
        { 3, 20, Stage.Rapport, true },
    };

    [Theory]
    [MemberData(nameof(ReplySamples))]
    public void Reply_speed_decides_nothing_until_there_are_enough_samples_each_way(int slowEachWay, double hours, Stage expected, bool judged)
    {
        var h = new History();
        // A steady exchange in many short threads with answers outside any thread (new subjects), plus timed answers.
        for (int i = 0; i < 6; i++) h.Out(A, i * 4, $"mine{i}").In(A, i * 4 + 2, $"theirs{i}");
        double day = 30;
        for (int i = 0; i < slowEachWay; i++)
        {
            h.Out(A, day, $"slow-a{i}").In(A, day + hours / 24, $"slow-a{i}");
            day += hours / 24 + 1;
            h.In(A, day, $"slow-b{i}").Out(A, day + hours / 24, $"slow-b{i}");
            day += hours / 24 + 1;
        }
        var p = h.Profile(A, day + 1);
        var responsive = p.Decision!.Rapport.Single(c => c.Name == Criteria.Responsive);

        Assert.Equal(expected, p.Stage);
        Assert.Equal(judged, !responsive.Detail.StartsWith("reply speed not judged"));
        if (expected == Stage.Contact) Assert.Contains(p.Reasons, r => r.Contains("answers are slow"));
    }

    [Fact]
    public void A_meeting_after_their_message_is_an_answer()
    {
        var h = new History();
        // They write; I never answer by mail but call a meeting within days, three times.
        for (int i = 0; i < 3; i++)
        {
            h.In(A, i * 20, $"ask{i}").In(A, i * 20 + 1, $"ask-more{i}").Out(A, i * 20 + 5, $"note{i}");
            h.Meeting(i * 20 + 7, 1, A, History.Person(History.Owner));
        }
        var e = h.Profile(A, 70).Evidence;
        Assert.Equal(3, e.AnsweredByMeetingTheirs);
        Assert.Equal(3, e.RepliesTheirs);
        Assert.Equal(0, e.AnsweredByMeetingMine);
    }

    [Fact]
    public void The_decision_carries_every_criterion_with_its_numbers()
    {
        var p = new History().Exchange(A, 1, 2, 3).Profile(A, 10);
        var d = p.Decision!;

        Assert.Equal(Stage.Contact, d.Stage);
        Assert.Equal(p.Stage, d.Stage);
        Assert.Equal([Criteria.BothWrite, Criteria.Balanced, Criteria.BothAnswer, Criteria.Responsive, Criteria.MetInPerson],
            d.Rapport.Select(c => c.Name).ToArray());
        Assert.Equal([Criteria.Sustained, Criteria.SharedExperiences, Criteria.Reciprocal, Criteria.Responsive],
            d.Relationship.Select(c => c.Name).ToArray());
        var bothWrite = d.Rapport.Single(c => c.Name == Criteria.BothWrite);
        Assert.False(bothWrite.Met);
        Assert.Equal(1, bothWrite.Value);
        Assert.Equal(3, bothWrite.Required);
        // The reason is rendered from the unmet criterion, with its number.
        Assert.Contains(p.Reasons, r => r.StartsWith("Contact:") && r.Contains("only 1 message(s) one way"));
        Assert.True(d.Window.WholeHistory);
        Assert.Equal((1, 1), (d.Window.MessagesSent, d.Window.MessagesReceived));
    }

    [Fact]
    public void Rapport_lists_what_a_relationship_still_needs()
    {
        var p = new History().Exchange(A, 1, 4, 3).Exchange(A, 5, 4, 3, ownerStarts: false).Profile(A, 10);
        Assert.Equal(Stage.Rapport, p.Stage);
        var missing = p.Decision!.Missing(Stage.Relationship).Select(c => c.Name).ToList();
        Assert.Contains(Criteria.Sustained, missing);
        Assert.Contains(Criteria.SharedExperiences, missing);
        Assert.Contains(p.Reasons, r => r.StartsWith("Roots still shallow:"));
    }
}
