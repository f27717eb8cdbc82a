using MailRapport.Core;
using MailRapport.Server.Api;

namespace MailRapport.Server.Tests.Api;

/// <summary>The preview's chart: each person's stage at the end of every month, from the recorded changes.</summary>
public sealed class StageMonthsTests
{
    private static readonly DateTimeOffset Jan = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string[]> Cases => new()
    {
        // name, expected months as "yyyy-mm contact/rapport/relationship"
        { "no history", [] },
        { "one person growing", ["2026-01 1/0/0", "2026-02 0/1/0", "2026-03 0/1/0", "2026-04 0/0/1"] },
        { "a change late in the month counts for that month", ["2026-01 0/1/0", "2026-02 0/1/0", "2026-03 0/1/0", "2026-04 0/1/0"] },
        { "two people", ["2026-01 1/1/0", "2026-02 0/1/1", "2026-03 0/1/1", "2026-04 0/1/1"] },
    };

    private static IEnumerable<(string, DateTimeOffset, Stage)> Changes(string name) => name switch
    {
        "no history" => [],
        "one person growing" => [("a@x.example", Jan, Stage.Contact), ("a@x.example", Jan.AddMonths(1), Stage.Rapport), ("a@x.example", Jan.AddMonths(3).AddDays(2), Stage.Relationship)],
        "a change late in the month counts for that month" => [("a@x.example", Jan.AddDays(5), Stage.Contact), ("a@x.example", Jan.AddMonths(1).AddTicks(-1), Stage.Rapport)],
        "two people" => [("a@x.example", Jan, Stage.Contact), ("b@x.example", Jan, Stage.Rapport), ("a@x.example", Jan.AddMonths(1), Stage.Relationship)],
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Stage_counts_at_each_month_end(string name, string[] expected)
    {
        var months = StageMonthsApi.Count(Changes(name), Jan.AddMonths(3).AddDays(10));
        Assert.Equal(expected, months.Select(m => $"{m.Year}-{m.Month:00} {m.Contact}/{m.Rapport}/{m.Relationship}"));
    }

    [Fact]
    public void At_most_24_months_back()
    {
        var months = StageMonthsApi.Count([("a@x.example", Jan.AddYears(-5), Stage.Contact)], Jan);
        Assert.Equal(StageMonthsApi.MaxMonths, months.Count);
        Assert.All(months, m => Assert.Equal(1, m.Contact));
    }
}
