using MailRapport.Server.Evaluation;

namespace MailRapport.Server.Tests.Evaluation;

/// <summary>The pieces of enron_eval.py and agree.py the evaluation re-implements, pinned to what the scripts give.</summary>
public sealed class ReferenceReadingTests
{
    // Expected values printed by enron_eval.parse_date (Python 3.11).
    [Theory]
    [InlineData("Mon, 14 May 2001 16:39:00 -0700 (PDT)", "2001-05-14T23:39:00")]
    [InlineData("Fri, 5 Jan 2001 09:00:00 EST", "2001-01-05T14:00:00")]
    [InlineData("14 May 01 16:39 +0100", "2001-05-14T15:39:00")]
    [InlineData("Tue, 1 Jan 0001 00:00:00 -0800", "0001-01-01T08:00:00")]
    [InlineData("Wed, 31 Dec 1979 16:00:00 -0800 (PST)", "1980-01-01T00:00:00")]
    [InlineData("1-Jan-00 10.30 GMT", "2000-01-01T10:30:00")]
    [InlineData("Sat,3 Feb 2001 08:15:59 -0000", "2001-02-03T08:15:59")]
    [InlineData("Thu, 12 Oct 2000 13:05:60 +0530", "2000-10-12T07:35:59")]
    [InlineData("May 14 2001 16:39:00 -0700", "2001-05-14T23:39:00")]
    [InlineData("Mon, 30 Feb 2001 10:00:00 +0000", null)]
    [InlineData("Thu, 12 Oct 2000 61:00:00 +0000", null)]
    [InlineData("garbage", null)]
    public void Dates_parse_as_python_parsedate_tz_does(string header, string? expected) =>
        Assert.Equal(expected, ReferenceMailDate.Parse(header)?.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));

    // Expected values printed by enron_eval.split_addresses.
    [Theory]
    [InlineData("\"Smith, John\" <John.Smith@Enron.com>, bob@x.org", new[] { "john.smith@enron.com", "bob@x.org" })]
    [InlineData("<mailto:A@B.COM>, bad@@x, c@d", new[] { "a@b.com" })]
    [InlineData("'e@f.gh', \"q, r\" <s@t.uv> , x@y..z, k@l", new[] { "e@f.gh", "s@t.uv" })]
    public void Address_lists_split_as_the_script_splits_them(string header, string[] expected) =>
        Assert.Equal(expected, ReferenceMailbox.SplitAddresses(header));

    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4 }, new[] { false, false, true, true }, 1.0)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, new[] { true, true, false, false }, 0.0)]
    [InlineData(new[] { 1.0, 1, 1, 1 }, new[] { true, false, true, false }, 0.5)]
    [InlineData(new[] { 1.0, 2, 2, 3 }, new[] { false, true, false, true }, 0.875)]
    public void Auc_is_the_rank_sum_with_average_ranks_for_ties(double[] scores, bool[] labels, double expected) =>
        Assert.Equal(expected, RocAuc.Compute(scores, labels)!.Value, 12);

    [Fact]
    public void Auc_needs_both_classes() => Assert.Null(RocAuc.Compute([1.0, 2.0], [true, true]));

    [Theory]
    [InlineData(new[] { "rapport", "contact", "relationship" }, "rapport")] // three-way tie: the first rater's label
    [InlineData(new[] { "contact", "rapport", "rapport" }, "rapport")]
    [InlineData(new[] { "contact", "rapport" }, "contact")]
    public void Majority_breaks_ties_by_first_listed_label(string[] ratings, string expected) =>
        Assert.Equal(expected, RubricAgreement.MajorityOf(ratings));

    [Fact]
    public void Kappa_counts_other_stages_and_missing_addresses_as_disagreement_without_chance_agreement()
    {
        // agree.py: observed agreement over all four cards; chance agreement only over contact/rapport/relationship.
        var (kappa, accuracy) = RubricAgreement.Cohen(["contact", "rapport", "relationship", "contact"], ["contact", "cooling", "relationship", "(missing)"]);
        Assert.Equal(0.5, accuracy!.Value, 12);
        Assert.Equal((0.5 - 3.0 / 16) / (1 - 3.0 / 16), kappa!.Value, 12);
    }

    [Fact]
    public void Cards_with_fewer_than_two_ratings_are_left_out()
    {
        var agreement = RubricAgreement.Compare("s",
        [
            new RatedCard("s", "A", "a@x", ["contact", "contact"], "contact"),
            new RatedCard("s", "B", "b@x", ["rapport"], "contact"),
            new RatedCard("s", "C", "c@x", ["rapport", "rapport"], "(missing)"),
        ]);
        Assert.Equal(2, agreement.Cards);
        Assert.Equal([new ConfusionCell("contact", "contact", 1), new ConfusionCell("rapport", "(missing)", 1)], agreement.Confusion);
    }

    [Fact]
    public void Two_way_months_count_only_months_with_mail_both_ways_before_the_cutoff()
    {
        static ReferenceMessage Mail(string when, string from, string to) =>
            new(DateTime.Parse(when, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal), from, [to]);
        const string me = "me@x.org", ann = "ann@x.org";
        var messages = new[]
        {
            Mail("2000-01-03", me, ann), Mail("2000-01-20", ann, me), // January: both ways
            Mail("2000-02-03", me, ann),                                 // February: one way
            Mail("2000-03-01", ann, me), Mail("2000-03-31T23:00:00", me, ann), // March: both ways
            Mail("2000-04-02", ann, me), Mail("2000-04-03", me, ann),   // April: after the cutoff
        };
        var ann1 = Assert.Single(FutureReciprocity.Build(messages, [me], new DateTime(2000, 4, 1, 0, 0, 0, DateTimeKind.Utc), 180));
        Assert.Equal(2, ann1.TwoWayMonths);
        Assert.Equal(3, ann1.Sent);
        Assert.True(ann1.Positive);
    }
}
