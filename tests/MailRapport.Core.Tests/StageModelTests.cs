namespace MailRapport.Core.Tests;

public sealed class StageModelTests
{
    private const string A = "ann@partner.example";

    public static TheoryData<string, Stage, ContactFlags> StageCases => new()
    {
        { "single incoming", Stage.Contact, ContactFlags.OneWayInbound },
        { "single outgoing", Stage.Contact, ContactFlags.OneWayOutbound },
        { "one exchange", Stage.Contact, ContactFlags.None },
        { "two prompt threads", Stage.Rapport, ContactFlags.None },
        { "slow replies", Stage.Contact, ContactFlags.None },
        { "lopsided", Stage.Contact, ContactFlags.None },
        { "months of exchange, few shared experiences", Stage.Rapport, ContactFlags.None },
        { "months of exchange with meetings", Stage.Relationship, ContactFlags.None },
        { "intense but only weeks old", Stage.Rapport, ContactFlags.None },
        { "regular 1:1 meetings over months", Stage.Relationship, ContactFlags.None },
        { "met once in a big meeting", Stage.Contact, ContactFlags.MeetingsOnly },
    };

    private static History Scenario(string name)
    {
        var h = new History();
        switch (name)
        {
            case "single incoming": h.In(A, 1); break;
            case "single outgoing": h.Out(A, 1); break;
            case "one exchange": h.Exchange(A, 1, messages: 2, replyHours: 3); break;
            case "two prompt threads": h.Exchange(A, 1, 3, 3).Exchange(A, 5, 3, 3, ownerStarts: false); break;
            case "slow replies": h.Exchange(A, 1, 4, replyHours: 96).Exchange(A, 40, 4, 96, ownerStarts: false); break;
            case "lopsided":
                for (int i = 0; i < 15; i++) h.Out(A, i * 3, $"x{i}");
                h.Exchange(A, 50, 2, 3, ownerStarts: false).Exchange(A, 60, 2, 3, ownerStarts: false);
                break;
            case "months of exchange, few shared experiences":
                // Seven months of exchange, but in only three threads (each carried on over a few months).
                for (int m = 0; m < 7; m++) h.Exchange(A, m * 32, 3, 4, ownerStarts: m % 2 == 0, conversation: $"topic{m / 3}");
                break;
            case "months of exchange with meetings":
                for (int m = 0; m < 7; m++) h.Exchange(A, m * 32, 3, 4, ownerStarts: m % 2 == 0);
                h.Meeting(40, 1, History.Owner, History.Person(A)).Meeting(120, 1, A, History.Person(History.Owner));
                break;
            case "intense but only weeks old":
                for (int d = 0; d < 40; d += 2) h.Exchange(A, d, 4, 2, ownerStarts: d % 4 == 0);
                h.Meeting(10, 1, History.Owner, History.Person(A)).Meeting(20, 1, History.Owner, History.Person(A));
                break;
            case "regular 1:1 meetings over months":
                for (int d = 0; d < 270; d += 14) h.Meeting(d, 0.5, History.Owner, History.Person(A));
                h.Out(A, 3).In(A, 100);
                break;
            case "met once in a big meeting":
                h.Meeting(5, 1, "boss@corp.example", [History.Person(A), History.Person(History.Owner), .. Enumerable.Range(0, 8).Select(i => History.Person($"p{i}@corp.example"))]);
                break;
            default: throw new ArgumentException(name);
        }
        return h;
    }

    [Theory]
    [MemberData(nameof(StageCases))]
    public void Stage_rules(string scenario, Stage expected, ContactFlags expectedFlags)
    {
        var h = Scenario(scenario);
        var asOf = h.Items.Max(i => i.Timestamp) - History.Origin + TimeSpan.FromDays(1);
        var p = h.Profile(A, asOf.TotalDays);
        Assert.Equal(expected, p.Stage);
        Assert.Equal(expectedFlags, p.Flags);
        Assert.NotEmpty(p.Reasons);
        Assert.False(string.IsNullOrWhiteSpace(p.NextStep));
        Assert.InRange(p.Harmony, 0, 100);
        Assert.InRange(p.Depth, 0, 100);
        Assert.InRange(p.Strength, 0, 100);
    }

    [Fact]
    public void Rapport_without_meetings_suggests_a_first_meeting()
    {
        var p = Scenario("two prompt threads").Profile(A, 7);
        Assert.Equal("A first meeting would deepen this.", p.NextStep);
    }

    [Fact]
    public void Relationship_scores_above_rapport_and_rapport_above_contact()
    {
        var relationship = Scenario("months of exchange with meetings").Profile(A, 200);
        var rapport = Scenario("two prompt threads").Profile(A, 7);
        var contact = Scenario("single incoming").Profile(A, 7);
        Assert.True(relationship.Depth > rapport.Depth, $"{relationship.Depth} vs {rapport.Depth}");
        Assert.True(rapport.Harmony > contact.Harmony, $"{rapport.Harmony} vs {contact.Harmony}");
        Assert.True(relationship.Strength > rapport.Strength && rapport.Strength > contact.Strength);
    }

    [Theory]
    // Weekly rhythm: cooling after 30 days (the floor), dormant after 90.
    [InlineData(7, 10, Nurture.Active)]
    [InlineData(7, 29, Nurture.Active)]
    [InlineData(7, 45, Nurture.Cooling)]
    [InlineData(7, 100, Nurture.Dormant)]
    // Monthly rhythm: a month or two of quiet is normal for this tie.
    [InlineData(30, 45, Nurture.Active)]
    [InlineData(30, 80, Nurture.Active)]
    [InlineData(30, 120, Nurture.Cooling)]
    [InlineData(30, 200, Nurture.Dormant)]
    public void Nurture_is_measured_against_the_ties_own_rhythm(int everyDays, int silentDays, Nurture expected)
    {
        var h = new History();
        double last = 0;
        for (double d = 0; d < 400; d += everyDays) { h.Exchange(A, d, 2, 3); last = d; }
        var p = h.Profile(A, last + silentDays);
        Assert.Equal(expected, p.Nurture);
        Assert.Equal(silentDays, p.Evidence.SilenceDays, 0);
    }

    [Fact]
    public void Reply_times_are_measured_each_way_within_a_thread()
    {
        var h = new History()
            .In(A, 0, "t1").Out(A, 0 + 2 / 24.0, "t1")      // I answer in 2 h
            .Out(A, 1, "t2").In(A, 1 + 10 / 24.0, "t2")     // they answer in 10 h
            .Out(A, 2, "t3").In(A, 2 + 20 / 24.0, "t3")     // they answer in 20 h
            .In(A, 3, "t4").Out(A, 3 + 4 / 24.0, "t4");     // I answer in 4 h
        var e = h.Profile(A, 5).Evidence;
        Assert.Equal(3, e.MedianReplyHoursMine);
        Assert.Equal(15, e.MedianReplyHoursTheirs);
        Assert.Equal(2, e.RepliesMine);
        Assert.Equal(2, e.RepliesTheirs);
        Assert.Equal(4, e.SharedThreads);
    }

    [Fact]
    public void Messages_in_other_threads_or_after_the_reply_window_are_not_replies()
    {
        var h = new History()
            .Out(A, 0, "t1").In(A, 0.1, "t2")   // different thread: not a reply
            .Out(A, 10, "t3").In(A, 30, "t3");  // 20 days later: outside the 14-day window
        var e = h.Profile(A, 40).Evidence;
        Assert.Equal(0, e.RepliesTheirs);
        Assert.Null(e.MedianReplyHoursTheirs);
        Assert.Equal(1, e.SharedThreads); // t3: both wrote, even if not a prompt reply
    }

    [Fact]
    public void Only_the_first_answer_to_a_message_counts_as_a_reply()
    {
        var h = new History().Out(A, 0, "t").In(A, 0.1, "t").In(A, 0.2, "t");
        Assert.Equal(1, h.Profile(A, 1).Evidence.RepliesTheirs);
    }

    [Fact]
    public void One_to_one_meetings_weigh_more_than_big_ones_and_declined_or_cancelled_do_not_count()
    {
        var oneToOne = new History().Meeting(1, 1, History.Owner, History.Person(A)).Meeting(8, 1, History.Owner, History.Person(A));
        var big = new History()
            .Meeting(1, 1, History.Owner, [History.Person(A), .. Enumerable.Range(0, 9).Select(i => History.Person($"p{i}@x.example"))])
            .Meeting(8, 1, History.Owner, [History.Person(A), .. Enumerable.Range(0, 9).Select(i => History.Person($"p{i}@x.example"))]);
        var small = oneToOne.Profile(A, 10);
        var shared = big.Profile(A, 10);
        Assert.Equal(2, small.Evidence.SharedMeetings);
        Assert.Equal(2, shared.Evidence.SharedMeetings);
        Assert.Equal(2, shared.Evidence.MeetingHours);
        Assert.True(small.Depth > shared.Depth, $"1:1 depth {small.Depth} should exceed big-meeting depth {shared.Depth}");

        var skipped = new History()
            .Meeting(1, 1, History.Owner, cancelled: true, AttendeeResponse.Organizer, History.Person(A))
            .Meeting(2, 1, A, cancelled: false, AttendeeResponse.Declined, History.Person(History.Owner, AttendeeResponse.Declined))
            .Meeting(3, 1, History.Owner, History.Person(A, AttendeeResponse.Declined))
            .Meeting(4, 1, History.Owner, History.Person(A), new Attendee("room1@corp.example", "Room 1", AttendeeKind.Resource, AttendeeResponse.Accepted));
        var profiles = skipped.Profiles(10);
        Assert.Equal(1, profiles.Single(p => p.Address == A).Evidence.SharedMeetings);
        Assert.DoesNotContain(profiles, p => p.Address == "room1@corp.example");
    }

    [Fact]
    public void As_of_cut_counts_only_what_came_before()
    {
        var h = new History().Exchange(A, 1, 3, 3).Exchange(A, 100, 3, 3, ownerStarts: false);
        var early = h.Profile(A, 50);
        var late = h.Profile(A, 120);
        Assert.Equal(3, early.Evidence.MessagesSent + early.Evidence.MessagesReceived);
        Assert.Equal(6, late.Evidence.MessagesSent + late.Evidence.MessagesReceived);
        Assert.Equal(History.At(50), early.AsOf);
        Assert.True(early.Evidence.LastInteraction < History.At(50));
        Assert.DoesNotContain(h.Profiles(0.5), p => p.Address == A);
    }

    [Fact]
    public void Counts_are_plain_and_weights_stay_in_the_scores()
    {
        // The same messages, once written to me directly and once with me on Cc of a 40-person list.
        var direct = new History();
        var cc = new History();
        for (int i = 0; i < 4; i++)
        {
            direct.Out(A, i * 3, $"t{i}").In(A, i * 3 + 0.1, $"t{i}");
            cc.Out(A, i * 3, $"t{i}").In(A, i * 3 + 0.1, $"t{i}", ownerRole: RecipientRole.Cc, recipients: 40);
        }
        var d = direct.Profile(A, 13);
        var c = cc.Profile(A, 13);
        Assert.Equal((4, 4), (d.Evidence.MessagesSent, d.Evidence.MessagesReceived));
        Assert.Equal((4, 4), (c.Evidence.MessagesSent, c.Evidence.MessagesReceived));
        Assert.True(d.Harmony > c.Harmony, $"direct {d.Harmony} vs cc {c.Harmony}");
        Assert.True(d.Strength > c.Strength, $"direct {d.Strength} vs cc {c.Strength}");
    }

    [Fact]
    public void Co_recipients_of_incoming_mail_are_not_correspondents()
    {
        var h = new History();
        h.Items.Add(new MessageInteraction
        {
            Key = "<x@test>", Timestamp = History.At(1), Direction = Direction.Incoming, From = A,
            Counterparts = [new(A, "Ann", RecipientRole.From), new("bob@partner.example", "Bob", RecipientRole.Cc)], RecipientCount = 2,
        });
        var profiles = h.Profiles(2, completeMailbox: false);
        Assert.Equal(A, Assert.Single(profiles).Address);
        Assert.Equal("Ann", profiles[0].DisplayName);
    }

    [Fact]
    public void Interactions_must_come_in_time_order()
    {
        var builder = new RelationshipModel(new StageModelOptions()).CreateBuilder([History.Owner]);
        var h = new History().In(A, 5).In(A, 1);
        builder.Add(h.Items[0]);
        Assert.Throws<ArgumentException>(() => builder.Add(h.Items[1]));
    }

    [Fact]
    public void Timeline_has_one_entry_per_active_month()
    {
        var h = new History().Out(A, 0).In(A, 1).Meeting(40, 1, History.Owner, History.Person(A)).In(A, 70);
        var timeline = h.Profile(A, 80).Timeline;
        Assert.Equal([(2024, 1, 1, 1, 0), (2024, 2, 0, 0, 1), (2024, 3, 0, 1, 0)],
            timeline.Select(m => (m.Year, m.Month, m.Sent, m.Received, m.Meetings)).ToArray());
    }
}
