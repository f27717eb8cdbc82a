using MailRapport.Core.Sample;

namespace MailRapport.Core.Tests;

/// <summary>The sample mailbox has what real mail has, so it does not flatter the model.</summary>
public sealed class SampleRealismTests
{
    private static readonly SampleMailbox Sample = SampleMailboxGenerator.Generate(new SampleOptions { Seed = 7 });

    private static (IReadOnlyList<ContactProfile> Profiles, MailboxCoverage Coverage) Model()
    {
        var builder = new RelationshipModel(new StageModelOptions()).CreateBuilder([Sample.OwnerAddress]);
        foreach (var i in Sample.Messages.Select(m => (Interaction)m).Concat(Sample.Meetings.Select(m => (Interaction)m))
                     .Where(i => i.Timestamp < Sample.End).OrderBy(i => i.Timestamp))
            builder.Add(i);
        return (builder.Build(Sample.End), builder.Coverage(Sample.End));
    }

    [Fact]
    public void Received_mail_is_kept_only_for_the_last_months_and_the_model_says_so()
    {
        var (profiles, coverage) = Model();
        Assert.InRange(coverage.ReceivedMonths, 14, 16);
        Assert.True(coverage.SentMonths > coverage.ReceivedMonths + 6, $"sent {coverage.SentMonths}, received {coverage.ReceivedMonths}");
        Assert.Contains("received mail stored", coverage.Describe());
        Assert.Contains(" only", coverage.Describe());
        // Long relationships reach back before the retention cut: they are judged on the months that hold both directions.
        Assert.Contains(profiles, p => p.Stage == Stage.Relationship && p.Flags.HasFlag(ContactFlags.PartialHistory));
    }

    [Fact]
    public void Every_stage_is_present()
    {
        var (profiles, _) = Model();
        foreach (var stage in Enum.GetValues<Stage>())
            Assert.Contains(profiles, p => p.Stage == stage && !p.Flags.HasFlag(ContactFlags.Automated));
        Assert.Contains(profiles, p => p.Nurture == Nurture.Cooling);
        Assert.Contains(profiles, p => p.Nurture == Nurture.Dormant);
    }

    [Fact]
    public void Someone_who_answers_by_meeting_has_rapport_and_the_evidence_shows_it()
    {
        var (profiles, _) = Model();
        var byMeeting = Sample.Personas.Where(p => p.Kind == "answers-by-meeting").Select(p => profiles.Single(x => x.Address == p.Address)).ToList();
        Assert.NotEmpty(byMeeting);
        Assert.All(byMeeting, p =>
        {
            Assert.Equal(Stage.Rapport, p.Stage);
            Assert.True(p.Evidence.AnsweredByMeetingTheirs >= 2, $"{p.Address}: {p.Evidence.AnsweredByMeetingTheirs}");
        });
    }

    [Fact]
    public void A_single_slow_reply_does_not_make_a_tie_slow()
    {
        var (profiles, _) = Model();
        var slowOnce = Sample.Personas.Where(p => p.Kind == "one-slow-reply").Select(p => profiles.Single(x => x.Address == p.Address)).ToList();
        Assert.NotEmpty(slowOnce);
        Assert.All(slowOnce, p => Assert.Equal(Stage.Rapport, p.Stage));
        // Consistently slow answers still count.
        var slow = Sample.Personas.Where(p => p.Kind == "slow-acquaintance").Select(p => profiles.Single(x => x.Address == p.Address)).ToList();
        Assert.All(slow, p => Assert.Equal(Stage.Contact, p.Stage));
        Assert.Contains(slow, p => p.Reasons.Any(r => r.Contains("answers are slow")));
    }
}
