using MailRapport.Core.Sample;

namespace MailRapport.Core.Tests;

/// <summary>Waiting on you / on them, next expected contact and reply-time drift (issue 14.1–14.3).</summary>
public sealed class FollowUpTests
{
    private const string A = "ann@partner.example";

    // ---- 14.1 waiting threads ----

    public static TheoryData<string, double, int, int, double?, string?> WaitingCases => new()
    {
        // name, as of day, threads waiting on you, on them, oldest waiting on you (days), summary on you (part)
        { "no reply yet", 14, 1, 0, 4, "Waiting on you: 1 thread, oldest 4 days; too few answers from you to them to know the usual time (0 so far), so counted after 2 days." },
        { "no reply yet, within the default time", 11, 0, 0, null, null },
        { "answered by a meeting", 14, 0, 0, null, null },
        { "a meeting they declined answers nothing", 14, 1, 0, 4, "Waiting on you: 1 thread" },
        { "answered in another thread (which now waits on them)", 14, 0, 1, null, null },
        { "two threads, the oldest counts", 14, 2, 0, 4, "Waiting on you: 2 threads, oldest 4 days" },
        { "usual reply time from enough answers", 21, 1, 0, 1, "you usually answer them within 5 h." },
        { "still within the usual reply time", 20.1, 0, 0, null, null },
        { "one sample only", 23, 1, 0, 3, "too few answers from you to them to know the usual time (1 so far), so counted after 2 days." },
        { "let go after 30 days", 50, 0, 0, null, null },
        { "copied, not asked", 14, 0, 0, null, null },
        { "waiting on them", 14, 0, 1, null, null },
        { "their answer closes it (and now waits on you)", 14, 1, 0, 3, "Waiting on you: 1 thread, oldest 3 days" },
        { "their later message in another thread closes it too", 12, 0, 0, null, null },
    };

    private static History WaitingScenario(string name)
    {
        var h = new History();
        switch (name)
        {
            case "no reply yet" or "no reply yet, within the default time": h.In(A, 10, "t1"); break;
            case "answered by a meeting": h.In(A, 10, "t1").Meeting(11, 1, A, History.Person(History.Owner)); break;
            case "a meeting they declined answers nothing":
                h.In(A, 10, "t1").Meeting(11, 1, History.Owner, History.Person(A, AttendeeResponse.Declined), History.Person("bob@partner.example"));
                break;
            case "answered in another thread (which now waits on them)": h.In(A, 10, "t1").Out(A, 11, "t2"); break;
            case "two threads, the oldest counts": h.In(A, 10, "t1").In(A, 11.5, "t2").In(A, 12.5, "t1"); break;
            case "usual reply time from enough answers" or "still within the usual reply time":
                h.Exchange(A, 1, 2, 5, ownerStarts: false).Exchange(A, 4, 2, 5, ownerStarts: false).Exchange(A, 7, 2, 5, ownerStarts: false).In(A, 20, "t9");
                break;
            case "one sample only": h.Exchange(A, 1, 2, 5, ownerStarts: false).In(A, 20, "t9"); break;
            case "let go after 30 days": h.In(A, 10, "t1"); break;
            case "copied, not asked": h.In(A, 10, "t1", ownerRole: RecipientRole.Cc); break;
            case "waiting on them": h.Out(A, 10, "t1"); break;
            case "their answer closes it (and now waits on you)": h.Out(A, 10, "t1").In(A, 11, "t1"); break;
            case "their later message in another thread closes it too": h.Out(A, 10, "t1").In(A, 11, "t2"); break;
            default: throw new ArgumentException(name);
        }
        return h;
    }

    [Theory]
    [MemberData(nameof(WaitingCases))]
    public void Waiting_threads_each_way(string name, double asOfDay, int onYou, int onThem, double? oldestDays, string? summaryPart)
    {
        var p = WaitingScenario(name).Profile(A, asOfDay);
        Assert.Equal(onYou, p.WaitingOnYou.Threads);
        Assert.Equal(onThem, p.WaitingOnThem.Threads);
        if (oldestDays is { } days) Assert.Equal(days, p.WaitingOnYou.OldestDays!.Value, 1);
        if (summaryPart is null) Assert.True(onYou > 0 || p.WaitingOnYou.Summary is null, p.WaitingOnYou.Summary);
        else Assert.Contains(summaryPart, p.WaitingOnYou.Summary);
        Assert.Equal(onThem > 0, p.WaitingOnThem.Summary is not null);
    }

    [Fact]
    public void Waiting_on_them_states_their_usual_time()
    {
        var h = new History()
            .Exchange(A, 1, 2, 20).Exchange(A, 4, 2, 20).Exchange(A, 7, 2, 30)
            .Out(A, 20, "t9");
        var p = h.Profile(A, 23);
        Assert.Equal(1, p.WaitingOnThem.Threads);
        Assert.Equal(20, p.WaitingOnThem.UsualReplyHours);
        Assert.False(p.WaitingOnThem.UsualReplyIsDefault);
        Assert.Equal("Waiting on them: 1 thread, oldest 3 days; they usually answer you within 20 h.", p.WaitingOnThem.Summary);
    }

    [Fact]
    public void Not_waiting_on_them_where_the_mailbox_holds_no_received_mail()
    {
        // The inbox is gone from day 30 on (a retention cut): their answer to a message of day 40 could not be seen.
        var h = new History().Exchange(A, 1, 4, 3).Out(A, 40, "late");
        var items = h.Items.Concat(History.Background(-7, 30)).Concat(History.Background(30, 44, received: false)).OrderBy(i => i.Timestamp);
        var p = new RelationshipModel(new StageModelOptions()).Compute([History.Owner], items, History.At(44)).Single(x => x.Address == A);
        Assert.Equal(0, p.WaitingOnThem.Threads);
        Assert.Null(p.WaitingOnThem.Summary);
        Assert.Contains("does not hold received mail", p.WaitingOnThem.Note);

        // The same with the inbox kept: it waits.
        var complete = new History().Exchange(A, 1, 4, 3).Out(A, 40, "late").Profile(A, 44);
        Assert.Equal(1, complete.WaitingOnThem.Threads);
        Assert.Null(complete.WaitingOnThem.Note);
    }

    [Fact]
    public void Automated_senders_wait_on_no_one()
    {
        var p = new History().In("noreply@shop.example", 10, "t1").Profile("noreply@shop.example", 14);
        Assert.Equal(0, p.WaitingOnYou.Threads);
        Assert.False(p.NextContact.Known);
    }

    // ---- 14.2 next expected contact ----

    public static TheoryData<string, double, bool, double?, double?, string> RhythmCases => new()
    {
        // name, as of (days after the last contact), known, usual gap, overdue factor, summary
        { "one sample only", 3, false, null, null, "Too little history for a rhythm: contact on 1 day so far (needs 5)." },
        { "four days of contact", 3, false, null, null, "Too little history for a rhythm: contact on 4 days so far (needs 5)." },
        { "every 6 days, overdue", 14, true, 6, 2.3, "Usually every 6 days; 2.3 times overdue." },
        { "every 6 days, due soon", 3, true, 6, 0.5, "Usually every 6 days; next contact due by 7 Mar 2024." },
        { "a tie older than its history", 14, true, 6, 2.3, "Usually every 6 days; 2.3 times overdue. In touch since your mailbox's first stored month, so the tie may be older than this history." },
        { "a short tie older than its history", 3, false, null, null, "Too little history for a rhythm: contact on 2 days so far (needs 5). In touch since your mailbox's first stored month, so the tie may be older than this history." },
    };

    private static (History History, double LastDay) RhythmScenario(string name)
    {
        var h = new History();
        switch (name)
        {
            case "one sample only": h.In(A, 60); return (h, 60);
            case "four days of contact": foreach (var d in new[] { 51, 54, 57, 60 }) h.Exchange(A, d, 2, 2); return (h, 60.1);
            case "every 6 days, overdue" or "every 6 days, due soon":
                for (int d = 0; d <= 60; d += 6) h.Exchange(A, d, 2, 2, ownerStarts: d % 12 == 0);
                return (h, 60 + 2 / 24.0);
            case "a tie older than its history":
                // The mailbox's first stored month is Dec 2023 (History's background starts on day -7).
                for (int d = -6; d <= 60; d += 6) h.Exchange(A, d, 2, 2, ownerStarts: d % 12 == 0);
                return (h, 60 + 2 / 24.0);
            case "a short tie older than its history": h.In(A, -5).Out(A, 0); return (h, 0);
            default: throw new ArgumentException(name);
        }
    }

    [Theory]
    [MemberData(nameof(RhythmCases))]
    public void Next_expected_contact_from_the_ties_own_rhythm(string name, double daysAfterLast, bool known, double? gap, double? overdue, string summary)
    {
        var (h, last) = RhythmScenario(name);
        var r = h.Profile(A, last + daysAfterLast).NextContact;
        Assert.Equal(known, r.Known);
        Assert.Equal(gap, r.UsualGapDays);
        Assert.Equal(overdue, r.OverdueFactor);
        Assert.Equal(summary, r.Summary);
        if (known) Assert.Equal(History.At(last).AddDays(gap!.Value), r.NextDue);
        else Assert.Null(r.NextDue);
    }

    // ---- 14.3 reply-time drift ----

    public static TheoryData<string, bool, bool, string?> DriftCases => new()
    {
        // name, theirs flagged, mine flagged, summary (theirs, else mine)
        { "they slowed down", true, false, "They now take about 4 times longer to answer you than they used to (about 12 h now, 3 h before)." },
        { "you sped up", false, true, "You now answer them about 5 times faster than you used to (about 2 h now, 10 h before)." },
        { "steady", false, false, null },
        { "twice as slow but only by two hours", false, false, null },
        { "too few earlier answers", false, false, null },
        { "one sample only", false, false, null },
    };

    private static History DriftScenario(string name)
    {
        var h = new History();
        void Theirs(int count, double hours, ref int day) { for (int i = 0; i < count; i++, day += 3) h.Exchange(A, day, 2, hours); }
        void Mine(int count, double hours, ref int day) { for (int i = 0; i < count; i++, day += 3) h.Exchange(A, day, 2, hours, ownerStarts: false); }
        int d = 1;
        switch (name)
        {
            case "they slowed down": Theirs(6, 3, ref d); Theirs(5, 12, ref d); break;
            case "you sped up": Mine(5, 10, ref d); Mine(5, 2, ref d); break;
            case "steady": Theirs(10, 5, ref d); Mine(10, 5, ref d); break;
            case "twice as slow but only by two hours": Theirs(5, 2, ref d); Theirs(5, 4, ref d); break;
            case "too few earlier answers": Theirs(4, 3, ref d); Theirs(5, 30, ref d); break;
            case "one sample only": Theirs(1, 30, ref d); break;
            default: throw new ArgumentException(name);
        }
        return h;
    }

    [Theory]
    [MemberData(nameof(DriftCases))]
    public void Reply_time_drift_is_flagged_only_with_enough_samples(string name, bool theirs, bool mine, string? summary)
    {
        var drift = DriftScenario(name).Profile(A, 80).ReplyDrift;
        Assert.Equal(theirs, drift.Theirs.Flagged);
        Assert.Equal(mine, drift.Mine.Flagged);
        Assert.Equal(summary, drift.Theirs.Summary ?? drift.Mine.Summary);
        if (name == "too few earlier answers") Assert.Equal((4, 5), (drift.Theirs.EarlierSamples, drift.Theirs.RecentSamples));
    }

    // ---- the sample mailbox ----

    [Fact]
    public void Sample_mailbox_has_waiting_threads_rhythms_and_overdue_nurture_in_line_with_its_rules()
    {
        var sample = SampleMailboxGenerator.Generate(new SampleOptions());
        var model = new RelationshipModel(new StageModelOptions());
        var builder = model.CreateBuilder([sample.OwnerAddress]);
        foreach (var i in sample.Messages.Select(m => (Interaction)m).Concat(sample.Meetings.Select(m => (Interaction)m)).Where(i => i.Timestamp < sample.End).OrderBy(i => i.Timestamp))
            builder.Add(i); // meetings scheduled after the end are in the future
        var profiles = builder.Build(sample.End);
        var coverage = builder.Coverage(sample.End);

        Assert.Contains(profiles, p => p.WaitingOnYou.Threads > 0);
        Assert.Contains(profiles, p => p.NextContact.Known);
        foreach (var p in profiles)
        {
            foreach (var w in new[] { p.WaitingOnYou, p.WaitingOnThem })
            {
                Assert.Equal(w.Threads > 0, w.Summary is not null);
                if (w.Threads == 0) continue;
                Assert.InRange(w.OldestDays!.Value, w.UsualReplyHours / 24 - 0.05, 30);
                Assert.False(p.Flags.HasFlag(ContactFlags.Automated));
            }
            // Waiting on them only where the mailbox holds received mail from the oldest thread on.
            if (p.WaitingOnThem.OldestSince is { } since)
                Assert.True(coverage.ReceivedStoredIn(MonthIndex.Of(since)), p.Address);
            // A tie gone Cooling or Dormant is past its own rhythm.
            if (p.Nurture != Nurture.Active && p.NextContact.Known)
                Assert.True(p.NextContact.OverdueFactor > 1, $"{p.Address}: {p.NextContact.Summary}");
            if (p.ReplyDrift.Theirs.Flagged) Assert.True(p.ReplyDrift.Theirs.EarlierSamples >= 5 && p.ReplyDrift.Theirs.RecentSamples >= 5);
        }
    }
}
