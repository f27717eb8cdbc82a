using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace MailRapport.Core;

/// <summary>
/// Every threshold and weight of the stage model, in one place. docs/stage-model.md explains each.
/// The defaults were set on the synthetic sample and checked on the Enron mailboxes (docs/evaluation.md).
/// The service binds them from the "StageModel" configuration section and checks them (<see cref="Validate"/>) at start.
/// </summary>
public sealed class StageModelOptions : IValidatableObject
{
    public const string Section = "StageModel";

    // ---- weighting of messages (scores only; evidence counts stay plain) ----

    /// <summary>Weight of a message where the person is on Cc (or Bcc) rather than To.</summary>
    public double CcWeight { get; set; } = 0.5;
    /// <summary>Up to this many recipients a message counts as direct; beyond, its weight falls as sqrt(DirectMaxRecipients / n).</summary>
    public int DirectMaxRecipients { get; set; } = 3;
    /// <summary>Recipient lists this long or longer count as distribution lists (mass mail detection).</summary>
    public int LargeListRecipients { get; set; } = 10;

    // ---- replies and threads ----

    /// <summary>A message answers the other side's last unanswered message in the same thread only within this window.</summary>
    public double ReplyWindowDays { get; set; } = 14;
    /// <summary>Reply times kept per direction for the median (most recent ones): bounds memory per correspondent.</summary>
    public int ReplySamples { get; set; } = 64;
    /// <summary>
    /// Threads remembered per correspondent (least recently used are forgotten), in the one thread table that serves
    /// reply detection, shared threads and waiting threads.
    /// </summary>
    public int ThreadsRemembered { get; set; } = 32;
    /// <summary>
    /// The thread table's size: <see cref="ThreadsRemembered"/>, or the former follow-up setting
    /// ("StageModel:FollowUp:ThreadsRemembered") when a configuration still sets it higher, so neither use remembers fewer.
    /// </summary>
    internal int ThreadTableSize => Math.Max(1, Math.Max(ThreadsRemembered, FollowUp.ThreadsRemembered ?? 0));
    /// <summary>Gaps between interaction days kept for the usual-gap median (most recent ones).</summary>
    public int GapSamples { get; set; } = 64;

    // ---- mailbox coverage: what the mailbox holds ----

    /// <summary>
    /// A direction (received or sent mail) counts as stored in a month holding at least this share of the mailbox's
    /// busy level for it (the upper quartile of its non-empty months). Balance and replies are measured only over months
    /// where both directions are stored.
    /// </summary>
    public double CoverageShare { get; set; } = 0.1;

    // ---- Rapport: real two-way harmony (both write, both answer) ----

    /// <summary>"Both write": messages each way over the measured window; one or two each way is still Contact.</summary>
    public int RapportMinMessagesEachWay { get; set; } = 3;
    /// <summary>"Not one side doing most of the writing": weighted balance (quieter side / busier side) over the window.</summary>
    public double RapportMinBalance { get; set; } = 0.25;
    /// <summary>"Both answer" by replies: each side answered at least once, and this many answers in all.</summary>
    public int RapportMinReplies { get; set; } = 3;
    /// <summary>"Both answer" by threads: this many threads in which both wrote.</summary>
    public int RapportMinSharedThreads { get; set; } = 2;
    /// <summary>"Both answer" by writing back and forth: per month the smaller of sent and received, added up.</summary>
    public int RapportMinBackAndForth { get; set; } = 5;
    /// <summary>"Some responsiveness": median reply time each way at most this many hours…</summary>
    public double RapportMaxMedianReplyHours { get; set; } = 72;
    /// <summary>…judged only once each side has answered this often (one slow answer does not make a tie slow).</summary>
    public int ReplySpeedMinSamples { get; set; } = 3;
    /// <summary>Small meetings (at most this many people besides the owner) also show two-way contact.</summary>
    public int SmallMeetingPeople { get; set; } = 3;
    /// <summary>Alternative route to Rapport: this many small shared meetings plus a message each way.</summary>
    public int RapportMinSmallMeetings { get; set; } = 2;

    // ---- Relationship: invested over time ----

    /// <summary>Reciprocal: messages each way over the measured window.</summary>
    public int RelationshipMinMessagesEachWay { get; set; } = 5;
    /// <summary>Reply times may be slower than for Rapport, but still an exchange (judged with enough samples only).</summary>
    public double RelationshipMaxMedianReplyHours { get; set; } = 168;
    public double RelationshipMinSpanDays { get; set; } = 180;
    public int RelationshipMinActiveMonths { get; set; } = 5;
    /// <summary>Shared experiences: threads in which both wrote plus shared meetings.</summary>
    public int RelationshipMinSharedExperiences { get; set; } = 6;
    /// <summary>Alternative route: this many small shared meetings stand in for the two-way mail volume.</summary>
    public int RelationshipMinSmallMeetings { get; set; } = 6;

    // ---- nurture: measured against the tie's own rhythm ----

    /// <summary>Cooling once silent longer than max(CoolingMinDays, CoolingFactor × usual gap).</summary>
    public double CoolingFactor { get; set; } = 3;
    public double CoolingMinDays { get; set; } = 30;
    /// <summary>Dormant once silent longer than max(DormantMinDays, DormantFactor × usual gap).</summary>
    public double DormantFactor { get; set; } = 6;
    public double DormantMinDays { get; set; } = 90;

    // ---- automated correspondents ----

    /// <summary>Local parts (before '@') that mark a machine sender, matched as prefixes after removing '.', '-' and '_'.</summary>
    public IReadOnlyList<string> AutomatedLocalParts { get; set; } =
    [
        "noreply", "donotreply", "dontreply", "mailerdaemon", "postmaster", "bounce", "notification", "notifications",
        "newsletter", "alerts", "alert", "autoreply", "autoconfirm", "automailer", "mailer", "listserv", "majordomo",
        "unsubscribe", "marketing", "digest", "updates",
    ];
    /// <summary>Share of a sender's messages carrying list or bulk markers above which it counts as automated.</summary>
    public double AutomatedMarkerShare { get; set; } = 0.5;
    /// <summary>One-way mass mail: at least this many messages, never answered, mostly to large lists or Bcc.</summary>
    public int MassMailMinMessages { get; set; } = 5;
    public double MassMailListShare { get; set; } = 0.8;
    /// <summary>Only senders the owner wrote to at most this often can be set apart by markers or mass mail.</summary>
    public int AutomatedMaxOwnerMessages { get; set; } = 1;

    // ---- scores ----

    /// <summary>Harmony = weights × (balance, reply speed, answers each way, two-way volume); the weights add up to 1.</summary>
    public double HarmonyBalanceWeight { get; set; } = 0.3;
    public double HarmonySpeedWeight { get; set; } = 0.2;
    public double HarmonyAnswersWeight { get; set; } = 0.2;
    public double HarmonyTwoWayVolumeWeight { get; set; } = 0.3;
    /// <summary>Answers each side gave, saturating at about this many.</summary>
    public double HarmonyAnswersScale { get; set; } = 3;
    /// <summary>Weighted two-way volume (the smaller side plus meetings), saturating at about this many.</summary>
    public double HarmonyTwoWayVolumeScale { get; set; } = 4;

    /// <summary>
    /// Depth = weights × (span, active months, shared experiences, volume) × (<see cref="DepthOneWayShare"/> +
    /// <see cref="DepthTwoWayShare"/> × two-way); the four weights add up to 1, and so do the two shares.
    /// </summary>
    public double DepthSpanWeight { get; set; } = 0.3;
    public double DepthMonthsWeight { get; set; } = 0.25;
    public double DepthExperiencesWeight { get; set; } = 0.3;
    public double DepthVolumeWeight { get; set; } = 0.15;
    /// <summary>What a one-way history keeps of its depth.</summary>
    /// <summary>How much of depth a one-way history keeps (time invested by one side only): roots need both sides.</summary>
    public double DepthOneWayShare { get; set; } = 0.1;
    public double DepthTwoWayShare { get; set; } = 0.9;
    /// <summary>Meeting hours a thread both wrote in counts as, for shared experiences.</summary>
    public double DepthThreadHours { get; set; } = 0.5;
    /// <summary>Shared experiences (meeting hours and threads) saturating at about this many.</summary>
    public double DepthExperiencesScale { get; set; } = 6;
    /// <summary>Weighted messages both ways saturating at about this many.</summary>
    public double DepthVolumeScale { get; set; } = 30;
    /// <summary>Two-way is full once balance × this factor reaches 1…</summary>
    public double DepthTwoWayBalanceFactor { get; set; } = 2;
    /// <summary>…or through meetings, saturating at about this many weighted meetings.</summary>
    public double DepthTwoWayMeetingsScale { get; set; } = 2;

    /// <summary>Reply speed score is exp(-hours / ReplySpeedScaleHours): 4 h ≈ 0.95, 24 h ≈ 0.74, 3 days ≈ 0.4.</summary>
    public double ReplySpeedScaleHours { get; set; } = 80;
    /// <summary>Months of span at which the span part of depth is about two thirds full.</summary>
    public double DepthSpanScaleDays { get; set; } = 240;
    public int DepthActiveMonthsFull { get; set; } = 10;
    /// <summary>Recency weight in strength: exp(-silence / max(RecencyMinDays, RecencyGapFactor × usual gap)).</summary>
    public double RecencyMinDays { get; set; } = 45;
    public double RecencyGapFactor { get; set; } = 3;
    /// <summary>
    /// Strength = (weights × harmony, depth, engagement, two-way messages) × (floor + (1 − floor) × recency). The weights
    /// add up to 1. Engagement is weighted volume both ways plus meetings, saturating at about <see cref="StrengthEngagementScale"/>.
    /// </summary>
    public double StrengthHarmonyWeight { get; set; } = 0.15;
    public double StrengthDepthWeight { get; set; } = 0.25;
    public double StrengthEngagementWeight { get; set; } = 0.5;
    public double StrengthTwoWayWeight { get; set; } = 0.10;
    public double StrengthEngagementScale { get; set; } = 40;
    /// <summary>Engagement's scale, in messages, when it is measured over the months the mailbox holds both ways (the evidence window) only.</summary>
    public double StrengthWindowEngagementScale { get; set; } = 30;
    /// <summary>Months of evidence window from which engagement is taken from the window alone (shorter windows blend with the whole history).</summary>
    public double StrengthWindowFullMonths { get; set; } = 2;
    public double StrengthRecencyFloor { get; set; } = 0.4;

    /// <summary>Waiting threads, next expected contact and reply-time drift.</summary>
    public FollowUpOptions FollowUp { get; set; } = new();
    /// <summary>Messages each way (the smaller side) saturating at about this many, for the two-way part of strength.</summary>
    public double StrengthTwoWayMessagesScale { get; set; } = 2;

    /// <summary>
    /// What makes a set of options a model: nothing negative, shares at most 1, scales and sample sizes above 0,
    /// weights that add up to 1, and each Relationship or Dormant threshold at least its Rapport or Cooling one.
    /// Messages name the setting as configured ("StageModel:Name").
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var errors = new List<ValidationResult>();
        void Fail(string message, params string[] members) => errors.Add(new ValidationResult(message, members));

        foreach (var property in typeof(StageModelOptions).GetProperties())
        {
            var value = property.GetValue(this) switch { double d => d, int i => i, _ => (double?)null };
            if (value is { } v && !(double.IsFinite(v) && v >= 0))
                Fail(string.Create(CultureInfo.InvariantCulture, $"{Section}:{property.Name} is {v}: it must be a number of at least 0."), property.Name);
        }
        foreach (var (name, value) in new[]
                 {
                     (nameof(CcWeight), CcWeight), (nameof(CoverageShare), CoverageShare), (nameof(RapportMinBalance), RapportMinBalance),
                     (nameof(AutomatedMarkerShare), AutomatedMarkerShare), (nameof(MassMailListShare), MassMailListShare),
                     (nameof(StrengthRecencyFloor), StrengthRecencyFloor),
                 })
            if (value > 1) Fail(string.Create(CultureInfo.InvariantCulture, $"{Section}:{name} is {value}: it is a share, at most 1."), name);
        foreach (var (name, value) in new[]
                 {
                     (nameof(DirectMaxRecipients), (double)DirectMaxRecipients), (nameof(ReplySamples), ReplySamples),
                     (nameof(ThreadsRemembered), ThreadsRemembered), (nameof(GapSamples), GapSamples),
                     (nameof(ReplySpeedScaleHours), ReplySpeedScaleHours), (nameof(DepthSpanScaleDays), DepthSpanScaleDays),
                     (nameof(DepthActiveMonthsFull), DepthActiveMonthsFull), (nameof(RecencyMinDays), RecencyMinDays),
                     (nameof(HarmonyAnswersScale), HarmonyAnswersScale), (nameof(HarmonyTwoWayVolumeScale), HarmonyTwoWayVolumeScale),
                     (nameof(DepthExperiencesScale), DepthExperiencesScale), (nameof(DepthVolumeScale), DepthVolumeScale),
                     (nameof(DepthTwoWayMeetingsScale), DepthTwoWayMeetingsScale), (nameof(StrengthEngagementScale), StrengthEngagementScale),
                     (nameof(StrengthTwoWayMessagesScale), StrengthTwoWayMessagesScale),
                     (nameof(StrengthWindowEngagementScale), StrengthWindowEngagementScale), (nameof(StrengthWindowFullMonths), StrengthWindowFullMonths),
                 })
            if (value == 0) Fail($"{Section}:{name} is 0: it is a scale or a sample size, above 0.", name);

        SumsToOne("harmony", (nameof(HarmonyBalanceWeight), HarmonyBalanceWeight), (nameof(HarmonySpeedWeight), HarmonySpeedWeight),
            (nameof(HarmonyAnswersWeight), HarmonyAnswersWeight), (nameof(HarmonyTwoWayVolumeWeight), HarmonyTwoWayVolumeWeight));
        SumsToOne("depth", (nameof(DepthSpanWeight), DepthSpanWeight), (nameof(DepthMonthsWeight), DepthMonthsWeight),
            (nameof(DepthExperiencesWeight), DepthExperiencesWeight), (nameof(DepthVolumeWeight), DepthVolumeWeight));
        SumsToOne("depth's two-way factor", (nameof(DepthOneWayShare), DepthOneWayShare), (nameof(DepthTwoWayShare), DepthTwoWayShare));
        SumsToOne("strength", (nameof(StrengthHarmonyWeight), StrengthHarmonyWeight), (nameof(StrengthDepthWeight), StrengthDepthWeight),
            (nameof(StrengthEngagementWeight), StrengthEngagementWeight), (nameof(StrengthTwoWayWeight), StrengthTwoWayWeight));

        AtMost((nameof(DirectMaxRecipients), DirectMaxRecipients), (nameof(LargeListRecipients), LargeListRecipients));
        AtMost((nameof(RapportMinMessagesEachWay), RapportMinMessagesEachWay), (nameof(RelationshipMinMessagesEachWay), RelationshipMinMessagesEachWay));
        AtMost((nameof(RapportMaxMedianReplyHours), RapportMaxMedianReplyHours), (nameof(RelationshipMaxMedianReplyHours), RelationshipMaxMedianReplyHours));
        AtMost((nameof(RapportMinSmallMeetings), RapportMinSmallMeetings), (nameof(RelationshipMinSmallMeetings), RelationshipMinSmallMeetings));
        AtMost((nameof(CoolingMinDays), CoolingMinDays), (nameof(DormantMinDays), DormantMinDays));
        AtMost((nameof(CoolingFactor), CoolingFactor), (nameof(DormantFactor), DormantFactor));
        return errors;

        void SumsToOne(string score, params (string Name, double Value)[] weights)
        {
            var sum = weights.Sum(w => w.Value);
            if (Math.Abs(sum - 1) > 1e-9)
                Fail(string.Create(CultureInfo.InvariantCulture, $"{Section}: the {score} weights ({string.Join(", ", weights.Select(w => w.Name))}) add up to {sum:0.###}, not 1."),
                    [.. weights.Select(w => w.Name)]);
        }

        void AtMost((string Name, double Value) lower, (string Name, double Value) upper)
        {
            if (lower.Value > upper.Value)
                Fail(string.Create(CultureInfo.InvariantCulture, $"{Section}:{lower.Name} ({lower.Value}) is above {Section}:{upper.Name} ({upper.Value}): the first must not exceed the second."),
                    lower.Name, upper.Name);
        }
    }
}
