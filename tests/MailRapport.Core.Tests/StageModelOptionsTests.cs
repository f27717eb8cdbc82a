using System.ComponentModel.DataAnnotations;

namespace MailRapport.Core.Tests;

/// <summary>The stage model's settings: what makes a valid set, and that every score weight is one of them.</summary>
public sealed class StageModelOptionsTests
{
    private static List<string> Errors(StageModelOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }

    [Fact]
    public void Defaults_are_a_valid_model() => Assert.Empty(Errors(new StageModelOptions()));

    public static TheoryData<string, Action<StageModelOptions>, string> Invalid => new()
    {
        { "negative weight", o => o.CcWeight = -0.1, "StageModel:CcWeight is -0.1: it must be a number of at least 0." },
        { "not a number", o => o.DepthVolumeScale = double.NaN, "StageModel:DepthVolumeScale is NaN" },
        { "share above 1", o => o.RapportMinBalance = 1.5, "StageModel:RapportMinBalance is 1.5: it is a share, at most 1." },
        { "zero scale", o => o.ReplySpeedScaleHours = 0, "StageModel:ReplySpeedScaleHours is 0" },
        { "zero sample size", o => o.GapSamples = 0, "StageModel:GapSamples is 0" },
        { "strength weights", o => o.StrengthEngagementWeight = 0.6, "the strength weights (StrengthHarmonyWeight, StrengthDepthWeight, StrengthEngagementWeight, StrengthTwoWayWeight) add up to 1.1, not 1." },
        { "harmony weights", o => o.HarmonySpeedWeight = 0.1, "the harmony weights" },
        { "depth weights", o => o.DepthVolumeWeight = 0.2, "the depth weights" },
        { "depth's two-way shares", o => o.DepthOneWayShare = 0.3, "the depth's two-way factor weights (DepthOneWayShare, DepthTwoWayShare)" },
        { "cooling after dormant", o => o.CoolingMinDays = 120, "StageModel:CoolingMinDays (120) is above StageModel:DormantMinDays (90)" },
        { "cooling factor after dormant", o => o.CoolingFactor = 7, "StageModel:CoolingFactor (7) is above StageModel:DormantFactor (6)" },
        { "rapport needs more than relationship", o => o.RapportMinMessagesEachWay = 6, "StageModel:RapportMinMessagesEachWay (6) is above StageModel:RelationshipMinMessagesEachWay (5)" },
        { "rapport slower than relationship", o => o.RapportMaxMedianReplyHours = 200, "StageModel:RapportMaxMedianReplyHours (200) is above StageModel:RelationshipMaxMedianReplyHours (168)" },
        { "direct beyond a large list", o => o.DirectMaxRecipients = 12, "StageModel:DirectMaxRecipients (12) is above StageModel:LargeListRecipients (10)" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_settings_are_named(string _, Action<StageModelOptions> change, string expected)
    {
        var options = new StageModelOptions();
        change(options);
        var errors = Errors(options);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    /// <summary>The weights and scales of harmony, depth and strength: each one, changed alone, moves a score.</summary>
    public static TheoryData<string> ScoreSettings => new(typeof(StageModelOptions).GetProperties()
        .Where(p => p.PropertyType == typeof(double) && (p.Name.StartsWith("Harmony", StringComparison.Ordinal)
            || p.Name.StartsWith("Depth", StringComparison.Ordinal) || p.Name.StartsWith("Strength", StringComparison.Ordinal)))
        .Select(p => p.Name));

    [Theory]
    [MemberData(nameof(ScoreSettings))]
    public void Every_score_weight_is_read_from_the_options(string setting)
    {
        // Months of exchange, one side writing most: Ann with meetings (meetings make it two-way), Bob without (balance does).
        const string ann = "ann@partner.example", bob = "bob@partner.example";
        var history = new History();
        for (int m = 0; m < 6; m++)
            foreach (var who in new[] { ann, bob })
            {
                history.Exchange(who, m * 30, 3, 20, ownerStarts: m % 2 == 0, conversation: $"{who}{m}");
                for (int i = 1; i <= 3; i++) history.Out(who, m * 30 + 5 * i, $"{who}x{m}{i}");
            }
        for (int d = 0; d < 3; d++) history.Meeting(60 + d * 30, 1, History.Owner, History.Person(ann));
        // Cat: one message each way (the two-way term is far from saturated).
        history.Out("cat@partner.example", 150, "cat").In("cat@partner.example", 151, "cat");
        var before = Scores(history, new StageModelOptions());

        var changed = new StageModelOptions();
        var property = typeof(StageModelOptions).GetProperty(setting)!;
        property.SetValue(changed, (double)property.GetValue(changed)! * 0.7);
        var after = Scores(history, changed);

        Assert.NotEqual(before, after);
    }

    /// <summary>
    /// Scores in a mailbox that stores everything, and (for the window settings) Dave's in one that keeps received mail
    /// only for its last month: I wrote to him every week, he answered in that month.
    /// </summary>
    private static string Scores(History history, StageModelOptions options)
    {
        var dave = new History();
        for (int week = 0; week < 28; week++) dave.Out("dave@partner.example", week * 7, $"dave{week}");
        dave.In("dave@partner.example", 185, "dave25").In("dave@partner.example", 190, "dave26");
        var pruned = new RelationshipModel(options).Compute([History.Owner],
            [.. dave.Items, .. History.Background(-7, 200, received: false), .. History.Background(183, 200, sent: false)], History.At(200));
        return Scores(history.Profiles(200, options)) + " | " + Scores(pruned);
    }

    private static string Scores(IEnumerable<ContactProfile> profiles) =>
        string.Join("; ", profiles.Where(p => !p.Address.EndsWith(History.BackgroundDomain, StringComparison.Ordinal))
            .OrderBy(p => p.Address).Select(p => $"{p.Address} {p.Harmony} {p.Depth} {p.Strength}"));
}

/// <summary>The one thread table: its size setting (the former follow-up key still read) and what it forgets.</summary>
public sealed class ThreadTableTests
{
    [Theory]
    [InlineData(32, null, 32)]
    [InlineData(10, null, 10)]
    [InlineData(10, 40, 40)] // the former "StageModel:FollowUp:ThreadsRemembered", set higher: neither use remembers fewer
    [InlineData(50, 40, 50)]
    public void One_size_serves_replies_and_waiting(int threadsRemembered, int? formerFollowUpSetting, int expected)
    {
        var options = new StageModelOptions { ThreadsRemembered = threadsRemembered, FollowUp = new FollowUpOptions { ThreadsRemembered = formerFollowUpSetting } };
        Assert.Equal(expected, options.ThreadTableSize);
    }

    [Fact]
    public void The_least_recently_used_thread_is_forgotten()
    {
        var table = new ThreadTable(2);
        table.Find(1, ticks: 10).MineSince = 10;
        table.Find(2, ticks: 20).MineSince = 20;
        table.Find(1, ticks: 30); // 1 used again: 2 is now the oldest
        table.Find(3, ticks: 40).MineSince = 40;
        Assert.Equal(10, table.Find(1, ticks: 50).MineSince);
        Assert.Equal(long.MinValue, table.Find(2, ticks: 60).MineSince); // forgotten, so new
        Assert.Equal(2, table.States.Length);
    }
}
