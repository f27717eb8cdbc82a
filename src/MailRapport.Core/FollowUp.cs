namespace MailRapport.Core;

/// <summary>
/// Threads waiting on one side: the other side wrote last (directly to them), and nothing from them since (no message,
/// no shared meeting) for longer than their usual reply time. Empty when nothing waits.
/// </summary>
public sealed record WaitingThreads
{
    public static readonly WaitingThreads None = new();

    /// <summary>Threads waiting longer than the usual reply time (and not older than <see cref="FollowUpOptions.WaitingMaxDays"/>).</summary>
    public int Threads { get; init; }
    /// <summary>When the oldest waiting thread's first unanswered message came.</summary>
    public DateTimeOffset? OldestSince { get; init; }
    /// <summary>Days the oldest waiting thread has waited, as of the profile's instant.</summary>
    public double? OldestDays { get; init; }
    /// <summary>The usual reply time the waiting is measured against: the median of the answering side's timed replies, or the default.</summary>
    public double UsualReplyHours { get; init; }
    /// <summary>True when too few timed replies were seen and <see cref="FollowUpOptions.DefaultReplyHours"/> stands in.</summary>
    public bool UsualReplyIsDefault { get; init; }
    /// <summary>Timed replies behind <see cref="UsualReplyHours"/>.</summary>
    public int ReplySamples { get; init; }
    /// <summary>For people: "Waiting on you: 2 threads, oldest 4 days; you usually answer them within 5 h." Null when nothing waits.</summary>
    public string? Summary { get; init; }
    /// <summary>Why waiting was not judged (the mailbox does not hold that direction's mail for the period), or null.</summary>
    public string? Note { get; init; }
}

/// <summary>When contact is next due, from the tie's own rhythm (its usual gap), and how far past it the tie is.</summary>
public sealed record ContactRhythm
{
    public static readonly ContactRhythm None = new() { Summary = "No contact yet." };

    /// <summary>True when the history holds enough gaps (<see cref="FollowUpOptions.RhythmMinGaps"/>) to speak of a rhythm.</summary>
    public bool Known { get; init; }
    /// <summary>Gaps between days with contact the rhythm was measured on.</summary>
    public int Gaps { get; init; }
    public double? UsualGapDays { get; init; }
    /// <summary>Last contact plus the usual gap.</summary>
    public DateTimeOffset? NextDue { get; init; }
    /// <summary>Silence over the usual gap: above 1 the tie is overdue ("2.3 times overdue").</summary>
    public double? OverdueFactor { get; init; }
    /// <summary>The tie appears in the mailbox's first stored month: it may be older than the history the mailbox holds.</summary>
    public bool OlderThanHistory { get; init; }
    /// <summary>For people: "Usually every 6 days; 2.3 times overdue." or why the history is too short to say.</summary>
    public required string Summary { get; init; }
}

/// <summary>One direction's reply times, recent against earlier.</summary>
public sealed record DriftLine
{
    public static readonly DriftLine None = new();

    /// <summary>True when the change is large enough to mention (and both periods have enough samples).</summary>
    public bool Flagged { get; init; }
    public int EarlierSamples { get; init; }
    public int RecentSamples { get; init; }
    public double? EarlierMedianHours { get; init; }
    public double? RecentMedianHours { get; init; }
    /// <summary>Recent median over earlier median (above 1: slower now).</summary>
    public double? Ratio { get; init; }
    /// <summary>"They now take about 3 times longer to answer you than they used to (…)." Null unless flagged.</summary>
    public string? Summary { get; init; }
}

/// <summary>Reply-time drift each way: theirs against their own earlier replies, yours against yours.</summary>
public sealed record ReplyDrift
{
    public static readonly ReplyDrift None = new();

    public DriftLine Theirs { get; init; } = DriftLine.None;
    public DriftLine Mine { get; init; } = DriftLine.None;
}

/// <summary>Thresholds for waiting threads, the next expected contact and reply-time drift (docs/stage-model.md).</summary>
public sealed class FollowUpOptions
{
    /// <summary>Timed replies needed before a side's median counts as its usual reply time.</summary>
    public int ReplyMinSamples { get; set; } = 3;
    /// <summary>Usual reply time used when a side has answered fewer than <see cref="ReplyMinSamples"/> times (stated as such).</summary>
    public double DefaultReplyHours { get; set; } = 48;
    /// <summary>The usual reply time is never taken below this: "waiting" within the hour says nothing.</summary>
    public double MinReplyHours { get; set; } = 1;
    /// <summary>A thread unanswered longer than this is no longer "waiting": it was let go.</summary>
    public double WaitingMaxDays { get; set; } = 30;
    /// <summary>
    /// Former setting, still read: waiting threads now come from the one thread table sized by
    /// <see cref="StageModelOptions.ThreadsRemembered"/> ("StageModel:ThreadsRemembered"). When set, the table keeps at least this many.
    /// </summary>
    public int? ThreadsRemembered { get; set; }
    /// <summary>Gaps between days with contact needed before the usual gap counts as a rhythm.</summary>
    public int RhythmMinGaps { get; set; } = 4;
    /// <summary>Newest replies per direction drift is measured over (at most <see cref="StageModelOptions.ReplySamples"/>, the reply times kept).</summary>
    public int DriftSamplesKept { get; set; } = 24;
    /// <summary>The newest this-many replies are "recent"; the ones before, "earlier". Each needs at least this many.</summary>
    public int DriftRecentSamples { get; set; } = 5;
    /// <summary>Flagged when the recent median is this many times the earlier one (or this many times shorter)…</summary>
    public double DriftFactor { get; set; } = 2;
    /// <summary>…and differs from it by at least this many hours (2 h against 1 h is no news).</summary>
    public double DriftMinHours { get; set; } = 4;
}
