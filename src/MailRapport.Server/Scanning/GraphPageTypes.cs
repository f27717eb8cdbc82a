using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailRapport.Server.Scanning;

// What the scanner reads from a Graph delta page: only the selected properties, as plain objects parsed by
// System.Text.Json source generation (docs/decisions/018-scan-reading.md), message pages by GraphMessagePageParser
// (docs/decisions/026-message-page-parser.md). Unknown properties are skipped.

/// <summary>One delta page: the items and either the next page's link or the round's delta link.</summary>
internal sealed class GraphDeltaPage<T>
{
    [JsonPropertyName("value")] public List<T>? Value { get; set; }
    [JsonPropertyName("@odata.nextLink")] public string? NextLink { get; set; }
    [JsonPropertyName("@odata.deltaLink")] public string? DeltaLink { get; set; }
}

/// <summary>Present on a delta item that left the collection (deleted, moved away, out of the window).</summary>
internal sealed class GraphRemoved
{
    [JsonPropertyName("reason")] public string? Reason { get; set; }
}

internal sealed class GraphEmailAddress
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("address")] public string? Address { get; set; }
}

internal sealed class GraphRecipient
{
    [JsonPropertyName("emailAddress")] public GraphEmailAddress? EmailAddress { get; set; }
}

internal sealed class GraphHeader
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("value")] public string? Value { get; set; }
}

/// <summary>A message with the properties of <see cref="GraphMessageDelta.Select"/>.</summary>
internal sealed class GraphMessage
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("@removed")] public GraphRemoved? Removed { get; set; }
    [JsonPropertyName("from")] public GraphRecipient? From { get; set; }
    [JsonPropertyName("sender")] public GraphRecipient? Sender { get; set; }
    [JsonPropertyName("toRecipients")] public List<GraphRecipient>? ToRecipients { get; set; }
    [JsonPropertyName("ccRecipients")] public List<GraphRecipient>? CcRecipients { get; set; }
    [JsonPropertyName("bccRecipients")] public List<GraphRecipient>? BccRecipients { get; set; }
    [JsonPropertyName("sentDateTime"), JsonConverter(typeof(LenientDateTimeOffsetConverter))] public DateTimeOffset? SentDateTime { get; set; }
    [JsonPropertyName("receivedDateTime"), JsonConverter(typeof(LenientDateTimeOffsetConverter))] public DateTimeOffset? ReceivedDateTime { get; set; }
    [JsonPropertyName("conversationId")] public string? ConversationId { get; set; }
    /// <summary>Base64, kept encoded: only its decoded length matters (reply or not).</summary>
    [JsonPropertyName("conversationIndex")] public string? ConversationIndex { get; set; }
    [JsonPropertyName("internetMessageId")] public string? InternetMessageId { get; set; }
    [JsonPropertyName("isDraft"), JsonConverter(typeof(LenientBooleanConverter))] public bool? IsDraft { get; set; }
    [JsonPropertyName("subject")] public string? Subject { get; set; }
    [JsonPropertyName("internetMessageHeaders")] public List<GraphHeader>? InternetMessageHeaders { get; set; }
}

internal sealed class GraphDateTimeZone
{
    [JsonPropertyName("dateTime")] public string? DateTime { get; set; }
    [JsonPropertyName("timeZone")] public string? TimeZone { get; set; }
}

internal sealed class GraphResponseStatus
{
    [JsonPropertyName("response")] public string? Response { get; set; }
}

internal sealed class GraphAttendee
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("status")] public GraphResponseStatus? Status { get; set; }
    [JsonPropertyName("emailAddress")] public GraphEmailAddress? EmailAddress { get; set; }
}

/// <summary>A calendarView event (Graph returns its default properties; bodies are never read).</summary>
internal sealed class GraphEvent
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("@removed")] public GraphRemoved? Removed { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("seriesMasterId")] public string? SeriesMasterId { get; set; }
    [JsonPropertyName("isCancelled"), JsonConverter(typeof(LenientBooleanConverter))] public bool? IsCancelled { get; set; }
    [JsonPropertyName("isOrganizer"), JsonConverter(typeof(LenientBooleanConverter))] public bool? IsOrganizer { get; set; }
    [JsonPropertyName("start")] public GraphDateTimeZone? Start { get; set; }
    [JsonPropertyName("end")] public GraphDateTimeZone? End { get; set; }
    [JsonPropertyName("responseStatus")] public GraphResponseStatus? ResponseStatus { get; set; }
    [JsonPropertyName("organizer")] public GraphRecipient? Organizer { get; set; }
    [JsonPropertyName("attendees")] public List<GraphAttendee>? Attendees { get; set; }
}

/// <summary>A mail folder from mailFolders/delta (the whole hierarchy, flat, each with its parent).</summary>
internal sealed class GraphFolder
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("@removed")] public GraphRemoved? Removed { get; set; }
    [JsonPropertyName("displayName")] public string? DisplayName { get; set; }
    [JsonPropertyName("parentFolderId")] public string? ParentFolderId { get; set; }
    [JsonPropertyName("isHidden"), JsonConverter(typeof(LenientBooleanConverter))] public bool? IsHidden { get; set; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(GraphDeltaPage<GraphEvent>))]
[JsonSerializable(typeof(GraphDeltaPage<GraphFolder>))]
internal sealed partial class GraphPageJson : JsonSerializerContext;

/// <summary>A boolean, also written as a string ("true"), as some Graph responses do; anything else reads as unknown.</summary>
internal sealed class LenientBooleanConverter : JsonConverter<bool?>
{
    public override bool HandleNull => true;

    public override bool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader);

    /// <summary>The rule, shared with <see cref="GraphMessagePageParser"/>: reads the value the reader is on (skipping an object or array).</summary>
    internal static bool? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.String:
                if (reader.ValueTextEquals("true"u8) || reader.ValueTextEquals("True"u8)) return true;
                if (reader.ValueTextEquals("false"u8) || reader.ValueTextEquals("False"u8)) return false;
                return null;
            default:
                reader.Skip();
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, bool? value, JsonSerializerOptions options) =>
        throw new NotSupportedException("read only");
}

/// <summary>An ISO 8601 date; a malformed one reads as unknown (the item is then skipped and counted, not the page lost).</summary>
internal sealed class LenientDateTimeOffsetConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader);

    /// <summary>The rule, shared with <see cref="GraphMessagePageParser"/>: reads the value the reader is on (skipping an object or array).</summary>
    internal static DateTimeOffset? ReadValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }
        if (reader.TryGetDateTimeOffset(out var value)) return value;
        return DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value) ? value : null;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options) =>
        throw new NotSupportedException("read only");
}
