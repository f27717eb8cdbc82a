using MailRapport.Core;

namespace MailRapport.Server.Storage;

// The stored document's follow-up facts (format 1): their own types, mapped from Core's WaitingThreads, ContactRhythm,
// DriftLine and ReplyDrift by StoredFollowUps. Same JSON names as the Core records they were first stored as, so rows
// written before these types read unchanged; a row without them reads as "none".

public sealed class StoredWaitingThreads
{
    public int Threads { get; set; }
    public DateTimeOffset? OldestSince { get; set; }
    public double? OldestDays { get; set; }
    public double UsualReplyHours { get; set; }
    public bool UsualReplyIsDefault { get; set; }
    public int ReplySamples { get; set; }
    public string? Summary { get; set; }
    public string? Note { get; set; }
}

public sealed class StoredRhythm
{
    public bool Known { get; set; }
    public int Gaps { get; set; }
    public double? UsualGapDays { get; set; }
    public DateTimeOffset? NextDue { get; set; }
    public double? OverdueFactor { get; set; }
    public bool OlderThanHistory { get; set; }
    /// <summary>Defaults to Core's "no contact yet" line, so a row stored without a rhythm reads as <see cref="ContactRhythm.None"/>.</summary>
    public string Summary { get; set; } = ContactRhythm.None.Summary;
}

public sealed class StoredDriftLine
{
    public bool Flagged { get; set; }
    public int EarlierSamples { get; set; }
    public int RecentSamples { get; set; }
    public double? EarlierMedianHours { get; set; }
    public double? RecentMedianHours { get; set; }
    public double? Ratio { get; set; }
    public string? Summary { get; set; }
}

public sealed class StoredReplyDrift
{
    public StoredDriftLine Theirs { get; set; } = new();
    public StoredDriftLine Mine { get; set; } = new();
}

/// <summary>Core's follow-up records to their stored types (used by <see cref="StoredProfileFormat.From(ContactProfile)"/>).</summary>
internal static class StoredFollowUps
{
    public static StoredWaitingThreads From(WaitingThreads w) => new()
    {
        Threads = w.Threads, OldestSince = w.OldestSince, OldestDays = w.OldestDays, UsualReplyHours = w.UsualReplyHours,
        UsualReplyIsDefault = w.UsualReplyIsDefault, ReplySamples = w.ReplySamples, Summary = w.Summary, Note = w.Note,
    };

    public static StoredRhythm From(ContactRhythm r) => new()
    {
        Known = r.Known, Gaps = r.Gaps, UsualGapDays = r.UsualGapDays, NextDue = r.NextDue, OverdueFactor = r.OverdueFactor,
        OlderThanHistory = r.OlderThanHistory, Summary = r.Summary,
    };

    public static StoredReplyDrift From(ReplyDrift d) => new() { Theirs = From(d.Theirs), Mine = From(d.Mine) };

    private static StoredDriftLine From(DriftLine l) => new()
    {
        Flagged = l.Flagged, EarlierSamples = l.EarlierSamples, RecentSamples = l.RecentSamples, EarlierMedianHours = l.EarlierMedianHours,
        RecentMedianHours = l.RecentMedianHours, Ratio = l.Ratio, Summary = l.Summary,
    };
}
