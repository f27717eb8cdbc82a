using System.Buffers;
using System.Text.Json;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>
/// Writes a <see cref="StoredProfile"/> exactly as the source-generated serializer (<see cref="StoredProfileJson"/>)
/// does, byte for byte, in straight-line code: a full recompute writes thousands of documents, and the generated
/// context (its enum converters rule out the generator's fast path) walks metadata for every property. Reading stays
/// with <see cref="StoredProfileJson"/>. StoredProfileWriterTests compare the two on every profile of the sample
/// mailbox; a property added to the stored types must be added here in declaration order.
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
        w.WriteString(N.DisplayName, p.DisplayName);
        w.WritePropertyName(N.Stage);
        WriteEnum(w, p.Stage, StoredProfileJson.Default.Stage);
        w.WritePropertyName(N.Nurture);
        WriteEnum(w, p.Nurture, StoredProfileJson.Default.Nurture);
        w.WritePropertyName(N.Flags);
        Strings(w, p.Flags);
        w.WriteNumber(N.Harmony, p.Harmony);
        w.WriteNumber(N.Depth, p.Depth);
        w.WriteNumber(N.Strength, p.Strength);
        w.WritePropertyName(N.Evidence);
        Write(w, p.Evidence);
        w.WritePropertyName(N.Reasons);
        Strings(w, p.Reasons);
        w.WriteString(N.NextStep, p.NextStep);
        w.WritePropertyName(N.Decision);
        if (p.Decision is { } d) Write(w, d); else w.WriteNullValue();
        w.WriteString(N.AutomatedReason, p.AutomatedReason);
        w.WriteString(N.AsOf, p.AsOf);
        w.WritePropertyName(N.Timeline);
        if (p.Timeline is null) w.WriteNullValue();
        else
        {
            w.WriteStartArray();
            foreach (var m in p.Timeline)
            {
                if (m is null) { w.WriteNullValue(); continue; }
                w.WriteStartObject();
                w.WriteNumber(N.Year, m.Year);
                w.WriteNumber(N.Month, m.Month);
                w.WriteNumber(N.Sent, m.Sent);
                w.WriteNumber(N.Received, m.Received);
                w.WriteNumber(N.Meetings, m.Meetings);
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
        w.WriteNumber(N.MessagesSent, e.MessagesSent);
        w.WriteNumber(N.MessagesReceived, e.MessagesReceived);
        w.WriteNumber(N.SharedThreads, e.SharedThreads);
        w.WriteNumber(N.SharedMeetings, e.SharedMeetings);
        w.WriteNumber(N.MeetingHours, e.MeetingHours);
        Time(w, N.FirstInteraction, e.FirstInteraction);
        Time(w, N.LastInteraction, e.LastInteraction);
        Number(w, N.MedianReplyHoursMine, e.MedianReplyHoursMine);
        Number(w, N.MedianReplyHoursTheirs, e.MedianReplyHoursTheirs);
        w.WriteNumber(N.RepliesMine, e.RepliesMine);
        w.WriteNumber(N.RepliesTheirs, e.RepliesTheirs);
        w.WriteNumber(N.AnsweredByMeetingMine, e.AnsweredByMeetingMine);
        w.WriteNumber(N.AnsweredByMeetingTheirs, e.AnsweredByMeetingTheirs);
        w.WriteNumber(N.ActiveMonths, e.ActiveMonths);
        w.WriteNumber(N.SpanDays, e.SpanDays);
        Number(w, N.UsualGapDays, e.UsualGapDays);
        w.WriteNumber(N.SilenceDays, e.SilenceDays);
        Time(w, N.LastSent, e.LastSent);
        Time(w, N.LastReceived, e.LastReceived);
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, StoredDecision d)
    {
        w.WriteStartObject();
        w.WritePropertyName(N.Stage);
        WriteEnum(w, d.Stage, StoredProfileJson.Default.Stage);
        w.WritePropertyName(N.Rapport);
        Criteria(w, d.Rapport);
        w.WritePropertyName(N.Relationship);
        Criteria(w, d.Relationship);
        w.WritePropertyName(N.Window);
        var x = d.Window;
        if (x is null) w.WriteNullValue();
        else
        {
            w.WriteStartObject();
            Time(w, N.From, x.From);
            Time(w, N.To, x.To);
            w.WriteNumber(N.Months, x.Months);
            w.WriteBoolean(N.WholeHistory, x.WholeHistory);
            w.WriteNumber(N.MessagesSent, x.MessagesSent);
            w.WriteNumber(N.MessagesReceived, x.MessagesReceived);
            w.WriteNumber(N.Balance, x.Balance);
            w.WriteNumber(N.BackAndForth, x.BackAndForth);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void Criteria(Utf8JsonWriter w, IReadOnlyList<StoredCriterion>? list)
    {
        if (list is null) { w.WriteNullValue(); return; }
        w.WriteStartArray();
        foreach (var c in list)
        {
            if (c is null) { w.WriteNullValue(); continue; }
            w.WriteStartObject();
            w.WriteString(N.Name, c.Name);
            w.WriteBoolean(N.Met, c.Met);
            w.WriteNumber(N.Value, c.Value);
            w.WriteNumber(N.Required, c.Required);
            w.WriteString(N.Detail, c.Detail);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Write(Utf8JsonWriter w, StoredWaitingThreads? t)
    {
        if (t is null) { w.WriteNullValue(); return; }
        w.WriteStartObject();
        w.WriteNumber(N.Threads, t.Threads);
        Time(w, N.OldestSince, t.OldestSince);
        Number(w, N.OldestDays, t.OldestDays);
        w.WriteNumber(N.UsualReplyHours, t.UsualReplyHours);
        w.WriteBoolean(N.UsualReplyIsDefault, t.UsualReplyIsDefault);
        w.WriteNumber(N.ReplySamples, t.ReplySamples);
        w.WriteString(N.Summary, t.Summary);
        w.WriteString(N.Note, t.Note);
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, StoredRhythm? r)
    {
        if (r is null) { w.WriteNullValue(); return; }
        w.WriteStartObject();
        w.WriteBoolean(N.Known, r.Known);
        w.WriteNumber(N.Gaps, r.Gaps);
        Number(w, N.UsualGapDays, r.UsualGapDays);
        Time(w, N.NextDue, r.NextDue);
        Number(w, N.OverdueFactor, r.OverdueFactor);
        w.WriteBoolean(N.OlderThanHistory, r.OlderThanHistory);
        w.WriteString(N.Summary, r.Summary);
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, StoredDriftLine? l)
    {
        if (l is null) { w.WriteNullValue(); return; }
        w.WriteStartObject();
        w.WriteBoolean(N.Flagged, l.Flagged);
        w.WriteNumber(N.EarlierSamples, l.EarlierSamples);
        w.WriteNumber(N.RecentSamples, l.RecentSamples);
        Number(w, N.EarlierMedianHours, l.EarlierMedianHours);
        Number(w, N.RecentMedianHours, l.RecentMedianHours);
        Number(w, N.Ratio, l.Ratio);
        w.WriteString(N.Summary, l.Summary);
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, IReadOnlyList<string>? list)
    {
        if (list is null) { w.WriteNullValue(); return; }
        w.WriteStartArray();
        for (int i = 0; i < list.Count; i++) w.WriteStringValue(list[i]);
        w.WriteEndArray();
    }

    private static void Time(Utf8JsonWriter w, JsonEncodedText name, DateTimeOffset? value)
    {
        if (value is { } v) w.WriteString(name, v); else w.WriteNull(name);
    }

    private static void Number(Utf8JsonWriter w, JsonEncodedText name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    /// <summary>An enum as the context's converter writes it (its camelCase name; the converter itself for any other value).</summary>
    private static void WriteEnum<T>(Utf8JsonWriter w, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> converter) where T : struct, System.Enum
    {
        if (EnumNames<T>.Names.TryGetValue(value, out var name)) w.WriteStringValue(name);
        else JsonSerializer.Serialize(w, value, converter);
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
