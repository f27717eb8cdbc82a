using MailRapport.Core;
using MailRapport.Server.Import;

namespace MailRapport.Server.Tests.Import;

/// <summary>Checks on the real Enron maildir in ../shared/data/enron; skipped when it is absent.</summary>
public sealed class EnronCorpusTests
{
    private static ImportPlan Plan(string user)
    {
        var request = new ImportRequest { Path = Path.Combine(EnronFactAttribute.Root, user), Now = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero) };
        return ImportPlanner.Plan(MailImporter.Read(request), request);
    }

    [EnronFact]
    public void Fossum_d_copies_collapse_and_the_owner_is_found()
    {
        var plan = Plan("fossum-d");
        Assert.Equal(4796, plan.Report.MessagesRead);
        Assert.InRange(plan.Report.Duplicates, 3200, 3300); // ../shared/DEPENDENCIES.md: 3,245 of 4,796
        Assert.Equal(["drew.fossum@enron.com"], plan.Report.Owners);
        Assert.Equal(0, plan.Report.Malformed);
        Assert.Contains(plan.Messages, m => m.Direction == Direction.Outgoing);
        Assert.Contains(plan.Messages, m => m.Direction == Direction.Incoming);
    }

    [EnronFact]
    public void Dean_c_is_two_people_merged()
    {
        var plan = Plan("dean-c");
        Assert.Contains("clint.dean@enron.com", plan.Report.Owners);
        Assert.Contains("craig.dean@enron.com", plan.Report.Owners);
    }

    [EnronFact]
    public void Placeholder_dates_are_counted_as_broken()
    {
        var plan = Plan("dasovich-j"); // inbox holds year-0001 dates
        Assert.True(plan.Report.DatesImplausible > 0);
        Assert.All(plan.Messages, m => Assert.InRange(m.Timestamp.Year, 1980, 2010));
    }
}
