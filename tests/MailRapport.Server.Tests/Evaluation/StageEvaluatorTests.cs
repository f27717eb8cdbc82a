using MailRapport.Core;
using MailRapport.Server.Evaluation;

namespace MailRapport.Server.Tests.Evaluation;

public sealed class StageEvaluatorTests
{
    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4 }, new[] { false, false, true, true }, 1.0)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, new[] { true, true, false, false }, 0.0)]
    [InlineData(new[] { 1.0, 1, 1, 1 }, new[] { true, false, true, false }, 0.5)]
    [InlineData(new[] { 1.0, 2, 2, 3 }, new[] { false, true, false, true }, 0.875)]
    public void Auc_by_rank_sum_with_ties(double[] scores, bool[] labels, double expected) =>
        Assert.Equal(expected, StageEvaluator.Auc(scores.Zip(labels))!.Value, 6);

    [Fact]
    public void Auc_needs_both_classes() => Assert.Null(StageEvaluator.Auc([(1.0, true), (2.0, true)]));

    private static MessageInteraction Msg(string key, int day, Direction d, string from, params string[] to) => new()
    {
        Key = key,
        Timestamp = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(day),
        Direction = d,
        From = from,
        Counterparts = d == Direction.Outgoing
            ? to.Select(a => new Counterpart(a, null, RecipientRole.To)).ToList()
            : [new Counterpart(from, null, RecipientRole.From), .. to.Select(a => new Counterpart(a, null, RecipientRole.Cc))],
        RecipientCount = to.Length + 1,
    };

    [Fact]
    public void Two_way_means_both_wrote_inside_the_window()
    {
        List<Interaction> history =
        [
            Msg("1", 1, Direction.Outgoing, "me@x", "ann@x", "bob@x"),
            Msg("2", 2, Direction.Incoming, "ann@x", "carl@x"),
            Msg("3", 3, Direction.Incoming, "carl@x"),
            Msg("4", 400, Direction.Incoming, "bob@x"),
        ];
        var twoWay = StageEvaluator.TwoWayIn(history, ["me@x"], history[0].Timestamp, history[0].Timestamp.AddDays(180));
        Assert.Equal(["ann@x"], twoWay);
    }

    [Fact]
    public void Rows_use_only_the_past_for_scores_and_the_future_for_labels()
    {
        List<Interaction> history =
        [
            Msg("1", 1, Direction.Outgoing, "me@x", "ann@x"),
            Msg("2", 2, Direction.Incoming, "ann@x"),
            Msg("3", 3, Direction.Incoming, "bob@x"),
            Msg("4", 40, Direction.Outgoing, "me@x", "ann@x"),
            Msg("5", 41, Direction.Incoming, "ann@x"),
            Msg("6", 42, Direction.Incoming, "bob@x"),
        ];
        var evaluator = new StageEvaluator(new RelationshipModel(new StageModelOptions()));
        var rows = evaluator.Evaluate("m", history, ["me@x"], new DateTimeOffset(2001, 1, 20, 0, 0, 0, TimeSpan.Zero));
        var ann = rows.SingleOrDefault(r => r.Address == "ann@x");
        var bob = rows.SingleOrDefault(r => r.Address == "bob@x");
        if (ann is not null)
        {
            Assert.True(ann.TwoWayNext);
            Assert.Equal(2, ann.TotalMessages);
            Assert.Equal(1, ann.TwoWay);
            Assert.Equal(2 * Math.Pow(0.5, 18 / 60.0) + Math.Pow(0.5, 17 / 60.0), ann.DecayedRank, 6); // ages 18 and 17 days
        }
        if (bob is not null)
        {
            Assert.False(bob.TwoWayNext);
            Assert.Equal(0, bob.TwoWay);
        }
        Assert.False(ann is null && bob is null, "the model profiled nobody");
    }
}
