namespace MailRapport.Core;

/// <summary>
/// Every threshold and weight of the stage model, in one place. docs/stage-model.md explains each.
/// The defaults were set on the synthetic sample and checked on the Enron mailboxes (docs/evaluation.md).
/// </summary>
public sealed class StageModelOptions
{
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
    /// <summary>Threads remembered per correspondent for reply detection (least recently used are forgotten).</summary>
    public int ThreadsRemembered { get; set; } = 32;
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
    /// <summary>Messages each way at which the two-way term is about two-thirds full: the first answers each way matter most.</summary>
    public double StrengthTwoWayScale { get; set; } = 2;
    /// <summary>How much of depth a one-way history keeps (time invested by one side only): roots need both sides.</summary>
    public double DepthOneWayShare { get; set; } = 0.1;
    public double StrengthEngagementScale { get; set; } = 40;
    /// <summary>Engagement's scale, in messages, when it is measured over the months the mailbox holds both ways (the evidence window) only.</summary>
    public double StrengthWindowEngagementScale { get; set; } = 30;
    /// <summary>Months of evidence window from which engagement is taken from the window alone (shorter windows blend with the whole history).</summary>
    public double StrengthWindowFullMonths { get; set; } = 2;
    public double StrengthRecencyFloor { get; set; } = 0.4;

    /// <summary>Waiting threads, next expected contact and reply-time drift.</summary>
    public FollowUpOptions FollowUp { get; set; } = new();
}
