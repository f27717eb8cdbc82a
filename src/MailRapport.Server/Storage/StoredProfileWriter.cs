using System.Buffers;
using System.Text.Json;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>
/// Writes a <see cref="StoredProfile"/> as the source-generated serializer (<see cref="StoredProfileJson"/>) would,
/// in the same order and with the same value encoding, less every property a missing property reads as (null, 0,
/// false, the enum's 0, an empty list whose default is []): a full recompute writes thousands of documents, and both
/// the serializing and the write-ahead log scale with their bytes (docs/decisions/025-compact-profile-documents.md).
/// Straight-line code: the generated context (its enum converters rule out the generator's fast path) walks metadata
/// for every property. Reading stays with <see cref="StoredProfileJson"/>, which reads these and the full documents
/// written before alike. StoredProfileWriterTests read every profile of the sample mailbox back to what the generated
/// serializer writes; a property added to the stored types must be added here in declaration order.
/// </summary>
internal static class StoredProfileWriter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? buffer;
    [ThreadStatic] private static Utf8JsonWriter? cachedWriter;

    public static byte[] Serialize(StoredProfile p)
    {
        var output = buffer ??= new ArrayBufferWriter<byte>(8192);
        output.ResetWrittenCount();
        var writer = cachedWriter ??= new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(output);
        Write(writer, p);
        writer.Flush();
        return output.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, StoredProfile p)
    {
        w.WriteStartObject();
        w.WriteString(N.Address, p.Address);
        OptionalString(w, N.DisplayName, p.DisplayName);
        Enum(w, N.Stage, p.Stage, static () => StoredProfileJson.Default.Stage);
        Enum(w, N.Nurture, p.Nurture, static () => StoredProfileJson.Default.Nurture);
        Strings(w, N.Flags, p.Flags);
        NonZero(w, N.Harmony, p.Harmony);
        NonZero(w, N.Depth, p.Depth);
        NonZero(w, N.Strength, p.Strength);
        w.WritePropertyName(N.Evidence);
        Write(w, p.Evidence);
        Strings(w, N.Reasons, p.Reasons);
        w.WriteString(N.NextStep, p.NextStep);
        if (p.Decision is { } d)
        {
            w.WritePropertyName(N.Decision);
            Write(w, d);
        }
        OptionalString(w, N.AutomatedReason, p.AutomatedReason);
        w.WriteString(N.AsOf, p.AsOf);
        if (p.Timeline is null) w.WriteNull(N.Timeline);
        else if (p.Timeline.Count > 0)
        {
            w.WritePropertyName(N.Timeline);
            w.WriteStartArray();
            foreach (var m in p.Timeline)
            {
                if (m is null) { w.WriteNullValue(); continue; }
                w.WriteStartObject();
                NonZero(w, N.Year, m.Year);
                NonZero(w, N.Month, m.Month);
                NonZero(w, N.Sent, m.Sent);
                NonZero(w, N.Received, m.Received);
                NonZero(w, N.Meetings, m.Meetings);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WritePropertyName(N.WaitingOnYou);
        Write(w, p.WaitingOnYou);
        w.WritePropertyName(N.WaitingOnThem);
        Write(w, p.WaitingOnThem);
        w.WritePropertyName(N.NextContact);
        Write(w, p.NextContact);
        w.WritePropertyName(N.ReplyDrift);
        if (p.ReplyDrift is null) w.WriteNullValue();
        else
        {
            w.WriteStartObject();
            w.WritePropertyName(N.Theirs);
            Write(w, p.ReplyDrift.Theirs);
            w.WritePropertyName(N.Mine);
            Write(w, p.ReplyDrift.Mine);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, StoredEvidence? e)
    {
        if (e is null) { w.WriteNullValue(); return; }
        w.WriteStartObject();
        NonZero(w, N.MessagesSent, e.MessagesSent);
        NonZero(w, N.MessagesReceived, e.MessagesReceived);
        NonZero(w, N.SharedThreads, e.SharedThreads);
        NonZero(w, N.SharedMeetings, e.SharedMeetings);
        NonZero(w, N.MeetingHours, e.MeetingHours);
        Time(w, N.FirstInteraction, e.FirstInteraction);
        Time(w, N.LastInteraction, e.LastInteraction);
        Number(w, N.MedianReplyHoursMine, e.MedianReplyHoursMine);
        Number(w, N.MedianReplyHoursTheirs, e.MedianReplyHoursTheirs);
        NonZero(w, N.RepliesMine, e.RepliesMine);
        NonZero(w, N.RepliesTheirs, e.RepliesTheirs);
        NonZero(w, N.AnsweredByMeetingMine, e.AnsweredByMeetingMine);
        NonZero(w, N.AnsweredByMeetingTheirs, e.AnsweredByMeetingTheirs);
        NonZero(w, N.ActiveMonths, e.ActiveMonths);
        NonZero(w, N.SpanDays, e.SpanDays);
        Number(w, N.UsualGapDays, e.UsualGapDays);
        NonZero(w, N.SilenceDays, e.SilenceDays);
        Time(w, N.LastSent, e.LastSent);
        Time(w, N.LastReceived, e.LastReceived);
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, StoredDecision d)
    {
        w.WriteStartObject();
        Enum(w, N.Stage, d.Stage, static () => StoredProfileJson.Default.Stage);
        Criteria(w, N.Rapport, d.Rapport);
        Criteria(w, N.Relationship, d.Relationship);
        w.WritePropertyName(N.Window);
        var x = d.Window;
        if (x is null) w.WriteNullValue();
        else
        {
            w.WriteStartObject();
            Time(w, N.From, x.From);
            Time(w, N.To, x.To);
            NonZero(w, N.Months, x.Months);
            True(w, N.WholeHistory, x.WholeHistory);
            NonZero(w, N.MessagesSent, x.MessagesSent);
            NonZero(w, N.MessagesReceived, x.MessagesReceived);
            NonZero(w, N.Balance, x.Balance);
            NonZero(w, N.BackAndForth, x.BackAndForth);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void Criteria(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<StoredCriterion>? list)
    {
        if (list is null) { w.WriteNull(name); return; }
        if (list.Count == 0) return; // reads as the initializer's []
        w.WritePropertyName(name);
        w.WriteStartArray();
        foreach (var c in list)
        {
            if (c is null) { w.WriteNullValue(); continue; }
            w.WriteStartObject();
            w.WriteString(N.Name, c.Name);
            True(w, N.Met, c.Met);
            NonZero(w, N.Value, c.Value);
            NonZero(w, N.Required, c.Required);
            w.WriteString(N.Detail, c.Detail);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Write(Utf8JsonWriter w, StoredWaitingThreads? t)
    {
        if (t is null) { w.WriteNullValue(); return; }
        w.WriteStartObject();
        NonZero(w, N.Threads, t.Threads);
        Time(w, N.OldestSince, t.OldestSince);
        Number(w, N.OldestDays, t.OldestDays);
        NonZero(w, N.UsualReplyHours, t.UsualReplyHours);
        True(w, N.UsualReplyIsDefault, t.UsualReplyIsDefault);
        NonZero(w, N.ReplySamples, t.ReplySamples);
        OptionalString(w, N.Summary, t.Summary);
        OptionalString(w, N.Note, t.Note);
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, StoredRhythm? r)
    {
        if (r is null) { w.WriteNullValue(); return; }
        w.WriteStartObject();
        True(w, N.Known, r.Known);
        NonZero(w, N.Gaps, r.Gaps);
        Number(w, N.UsualGapDays, r.UsualGapDays);
        Time(w, N.NextDue, r.NextDue);
        Number(w, N.OverdueFactor, r.OverdueFactor);
        True(w, N.OlderThanHistory, r.OlderThanHistory);
        w.WriteString(N.Summary, r.Summary);
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, StoredDriftLine? l)
    {
        if (l is null) { w.WriteNullValue(); return; }
        w.WriteStartObject();
        True(w, N.Flagged, l.Flagged);
        NonZero(w, N.EarlierSamples, l.EarlierSamples);
        NonZero(w, N.RecentSamples, l.RecentSamples);
        Number(w, N.EarlierMedianHours, l.EarlierMedianHours);
        Number(w, N.RecentMedianHours, l.RecentMedianHours);
        Number(w, N.Ratio, l.Ratio);
        OptionalString(w, N.Summary, l.Summary);
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<string>? list)
    {
        if (list is null) { w.WriteNull(name); return; }
        if (list.Count == 0) return; // reads as the initializer's []
        w.WritePropertyName(name);
        w.WriteStartArray();
        for (int i = 0; i < list.Count; i++) w.WriteStringValue(list[i]);
        w.WriteEndArray();
    }

    // Each helper below leaves out a value that a missing property reads as (docs/decisions/025-compact-profile-documents.md):
    // null where the stored type's default is null, 0 (not -0: it reads back as 0), false, the enum's 0, an empty list
    // whose default is []. A value a missing property would NOT read as (a null Address, whose default is "") is written.

    private static void Time(Utf8JsonWriter w, JsonEncodedText name, DateTimeOffset? value)
    {
        if (value is { } v) w.WriteString(name, v);
    }

    private static void Number(Utf8JsonWriter w, JsonEncodedText name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
    }

    private static void OptionalString(Utf8JsonWriter w, JsonEncodedText name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    private static void NonZero(Utf8JsonWriter w, JsonEncodedText name, int value)
    {
        if (value != 0) w.WriteNumber(name, value);
    }

    private static void NonZero(Utf8JsonWriter w, JsonEncodedText name, double value)
    {
        if (BitConverter.DoubleToInt64Bits(value) != 0) w.WriteNumber(name, value);
    }

    private static void True(Utf8JsonWriter w, JsonEncodedText name, bool value)
    {
        if (value) w.WriteBoolean(name, true);
    }

    private static void Enum<T>(Utf8JsonWriter w, JsonEncodedText name, T value, Func<System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>> converter)
        where T : struct, System.Enum
    {
        if (EqualityComparer<T>.Default.Equals(value, default)) return;
        w.WritePropertyName(name);
        // The context's converter only for a value outside the names: building its type info costs a cold process.
        if (EnumNames<T>.Names.TryGetValue(value, out var text)) w.WriteStringValue(text);
        else JsonSerializer.Serialize(w, value, converter());
    }

    private static class EnumNames<T> where T : struct, System.Enum
    {
        public static readonly Dictionary<T, JsonEncodedText> Names = System.Enum.GetValues<T>()
            .Distinct()
            .ToDictionary(v => v, v => JsonEncodedText.Encode(JsonNamingPolicy.CamelCase.ConvertName(v.ToString())));
    }

    /// <summary>The property names, camelCase as <see cref="JsonSerializerDefaults.Web"/> names them, encoded once.</summary>
    private static class N
    {
        public static readonly JsonEncodedText Address = E("address"), DisplayName = E("displayName"), Stage = E("stage"), Nurture = E("nurture"),
            Flags = E("flags"), Harmony = E("harmony"), Depth = E("depth"), Strength = E("strength"), Evidence = E("evidence"), Reasons = E("reasons"),
            NextStep = E("nextStep"), Decision = E("decision"), AutomatedReason = E("automatedReason"), AsOf = E("asOf"), Timeline = E("timeline"),
            WaitingOnYou = E("waitingOnYou"), WaitingOnThem = E("waitingOnThem"), NextContact = E("nextContact"), ReplyDrift = E("replyDrift"),
            Year = E("year"), Month = E("month"), Sent = E("sent"), Received = E("received"), Meetings = E("meetings"),
            MessagesSent = E("messagesSent"), MessagesReceived = E("messagesReceived"), SharedThreads = E("sharedThreads"),
            SharedMeetings = E("sharedMeetings"), MeetingHours = E("meetingHours"), FirstInteraction = E("firstInteraction"),
            LastInteraction = E("lastInteraction"), MedianReplyHoursMine = E("medianReplyHoursMine"), MedianReplyHoursTheirs = E("medianReplyHoursTheirs"),
            RepliesMine = E("repliesMine"), RepliesTheirs = E("repliesTheirs"), AnsweredByMeetingMine = E("answeredByMeetingMine"),
            AnsweredByMeetingTheirs = E("answeredByMeetingTheirs"), ActiveMonths = E("activeMonths"), SpanDays = E("spanDays"),
            UsualGapDays = E("usualGapDays"), SilenceDays = E("silenceDays"), LastSent = E("lastSent"), LastReceived = E("lastReceived"),
            Rapport = E("rapport"), Relationship = E("relationship"), Window = E("window"), Name = E("name"), Met = E("met"), Value = E("value"),
            Required = E("required"), Detail = E("detail"), From = E("from"), To = E("to"), Months = E("months"), WholeHistory = E("wholeHistory"),
            Balance = E("balance"), BackAndForth = E("backAndForth"), Threads = E("threads"), OldestSince = E("oldestSince"),
            OldestDays = E("oldestDays"), UsualReplyHours = E("usualReplyHours"), UsualReplyIsDefault = E("usualReplyIsDefault"),
            ReplySamples = E("replySamples"), Summary = E("summary"), Note = E("note"), Known = E("known"), Gaps = E("gaps"), NextDue = E("nextDue"),
            OverdueFactor = E("overdueFactor"), OlderThanHistory = E("olderThanHistory"), Flagged = E("flagged"), EarlierSamples = E("earlierSamples"),
            RecentSamples = E("recentSamples"), EarlierMedianHours = E("earlierMedianHours"), RecentMedianHours = E("recentMedianHours"),
            Ratio = E("ratio"), Theirs = E("theirs"), Mine = E("mine");

        private static JsonEncodedText E(string name) => JsonEncodedText.Encode(name);
    }
}
