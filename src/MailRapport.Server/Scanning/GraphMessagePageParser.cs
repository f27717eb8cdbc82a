using System.Text;
using System.Text.Json;
using MailRapport.Core;

namespace MailRapport.Server.Scanning;

/// <summary>
/// Reads a message delta page into the same <see cref="GraphDeltaPage{T}"/> of <see cref="GraphMessage"/> that
/// System.Text.Json would, in one forward pass over the bytes (docs/decisions/026-message-page-parser.md). Unlike it,
/// internetMessageHeaders keeps only the fields <see cref="AutomationHeaders.Fields"/> reads: the others (Received,
/// DKIM-Signature, ...) are skipped without making strings. As with System.Text.Json, a syntax error comes out as a
/// <see cref="JsonException"/> with the reader's exception inside, and JSON of another shape as one without.
/// </summary>
internal static class GraphMessagePageParser
{
    private static readonly byte[][] HeaderFields = [.. AutomationHeaders.Fields.Select(Encoding.ASCII.GetBytes)];

    public static GraphDeltaPage<GraphMessage>? Parse(ReadOnlySpan<byte> json)
    {
        // System.Text.Json's default reader options (depth 64, no comments, no trailing commas).
        var reader = new Utf8JsonReader(json);
        try
        {
            var page = Next(ref reader) switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.StartObject => ReadPage(ref reader),
                _ => throw Shape(ref reader, "a page object"),
            };
            if (reader.Read()) throw Shape(ref reader, "the end of the page"); // unreachable: the reader rejects a second value
            return page;
        }
        catch (ShapeMismatch ex)
        {
            throw new JsonException(ex.Message);
        }
        catch (JsonException ex)
        {
            // The reader's syntax error, wrapped as System.Text.Json wraps it (ParsedJsonBody retries on that).
            throw new JsonException(ex.Message, ex);
        }
        catch (InvalidOperationException ex) when (ex.Source == "System.Text.Json.Rethrowable")
        {
            // Invalid UTF-8 in a string: System.Text.Json reports it as a JsonException around this one.
            throw new JsonException(ex.Message, ex);
        }
    }

    private static GraphDeltaPage<GraphMessage> ReadPage(ref Utf8JsonReader reader)
    {
        var page = new GraphDeltaPage<GraphMessage>();
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("value"u8)) page.Value = ReadMessages(ref reader);
            else if (reader.ValueTextEquals("@odata.nextLink"u8)) page.NextLink = ReadString(ref reader);
            else if (reader.ValueTextEquals("@odata.deltaLink"u8)) page.DeltaLink = ReadString(ref reader);
            else reader.Skip();
        }
        return page;
    }

    private static List<GraphMessage>? ReadMessages(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader)) return null;
        var messages = new List<GraphMessage>();
        while (Next(ref reader) != JsonTokenType.EndArray)
            messages.Add(reader.TokenType switch
            {
                JsonTokenType.Null => null!, // as System.Text.Json: a null item stays in the list
                JsonTokenType.StartObject => ReadMessage(ref reader),
                _ => throw Shape(ref reader, "a message object"),
            });
        return messages;
    }

    private static GraphMessage ReadMessage(ref Utf8JsonReader reader)
    {
        var m = new GraphMessage();
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8)) m.Id = ReadString(ref reader);
            else if (reader.ValueTextEquals("receivedDateTime"u8)) m.ReceivedDateTime = ReadDate(ref reader);
            else if (reader.ValueTextEquals("sentDateTime"u8)) m.SentDateTime = ReadDate(ref reader);
            else if (reader.ValueTextEquals("from"u8)) m.From = ReadRecipient(ref reader);
            else if (reader.ValueTextEquals("sender"u8)) m.Sender = ReadRecipient(ref reader);
            else if (reader.ValueTextEquals("toRecipients"u8)) m.ToRecipients = ReadRecipients(ref reader);
            else if (reader.ValueTextEquals("ccRecipients"u8)) m.CcRecipients = ReadRecipients(ref reader);
            else if (reader.ValueTextEquals("bccRecipients"u8)) m.BccRecipients = ReadRecipients(ref reader);
            else if (reader.ValueTextEquals("conversationId"u8)) m.ConversationId = ReadString(ref reader);
            else if (reader.ValueTextEquals("conversationIndex"u8)) m.ConversationIndex = ReadString(ref reader);
            else if (reader.ValueTextEquals("internetMessageId"u8)) m.InternetMessageId = ReadString(ref reader);
            else if (reader.ValueTextEquals("isDraft"u8)) m.IsDraft = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("subject"u8)) m.Subject = ReadString(ref reader);
            else if (reader.ValueTextEquals("internetMessageHeaders"u8)) m.InternetMessageHeaders = ReadHeaders(ref reader);
            else if (reader.ValueTextEquals("@removed"u8)) m.Removed = ReadRemoved(ref reader);
            else reader.Skip();
        }
        return m;
    }

    private static GraphRemoved? ReadRemoved(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader)) return null;
        var removed = new GraphRemoved();
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("reason"u8)) removed.Reason = ReadString(ref reader);
            else reader.Skip();
        }
        return removed;
    }

    private static List<GraphRecipient>? ReadRecipients(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader)) return null;
        var recipients = new List<GraphRecipient>();
        while (Next(ref reader) != JsonTokenType.EndArray)
            recipients.Add(reader.TokenType switch
            {
                JsonTokenType.Null => null!,
                JsonTokenType.StartObject => ReadRecipientObject(ref reader),
                _ => throw Shape(ref reader, "a recipient object"),
            });
        return recipients;
    }

    private static GraphRecipient? ReadRecipient(ref Utf8JsonReader reader) =>
        StartObject(ref reader) ? ReadRecipientObject(ref reader) : null;

    private static GraphRecipient ReadRecipientObject(ref Utf8JsonReader reader)
    {
        var recipient = new GraphRecipient();
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("emailAddress"u8)) recipient.EmailAddress = ReadEmailAddress(ref reader);
            else reader.Skip();
        }
        return recipient;
    }

    private static GraphEmailAddress? ReadEmailAddress(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader)) return null;
        var address = new GraphEmailAddress();
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("address"u8)) address.Address = ReadString(ref reader);
            else if (reader.ValueTextEquals("name"u8)) address.Name = ReadString(ref reader);
            else reader.Skip();
        }
        return address;
    }

    /// <summary>The headers among <see cref="HeaderFields"/>; the others (and null items) are left out.</summary>
    private static List<GraphHeader>? ReadHeaders(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader)) return null;
        var headers = new List<GraphHeader>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            if (reader.TokenType != JsonTokenType.StartObject) throw Shape(ref reader, "a header object");
            if (ReadHeader(ref reader) is { } header) headers.Add(header);
        }
        return headers;
    }

    private static GraphHeader? ReadHeader(ref Utf8JsonReader reader)
    {
        // The value may come before the name: its token is kept (a copy of the reader) and read only for a kept field.
        bool kept = false;
        Utf8JsonReader name = default, value = default;
        bool hasName = false, hasValue = false;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                hasName = StringOrNull(ref reader);
                if (hasName) name = reader;
                kept = hasName && IsHeaderField(ref reader);
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                hasValue = StringOrNull(ref reader);
                if (hasValue) value = reader;
            }
            else reader.Skip();
        }
        if (!kept) return null;
        return new GraphHeader { Name = hasName ? name.GetString() : null, Value = hasValue ? value.GetString() : null };
    }

    /// <summary>Compared as <see cref="AutomationHeaders.IsField"/> does (trimmed, ignoring case), on the raw bytes when plain ASCII.</summary>
    private static bool IsHeaderField(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        // Unescaped JSON strings hold no control characters, so ASCII trimming matches string.Trim here.
        if (reader.ValueIsEscaped || !Ascii.IsValid(raw)) return AutomationHeaders.IsField(reader.GetString());
        raw = raw[Ascii.Trim(raw)];
        foreach (var field in HeaderFields)
            if (Ascii.EqualsIgnoreCase(raw, field)) return true;
        return false;
    }

    private static DateTimeOffset? ReadDate(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return LenientDateTimeOffsetConverter.ReadValue(ref reader);
    }

    private static bool? ReadBoolean(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return LenientBooleanConverter.ReadValue(ref reader);
    }

    private static string? ReadString(ref Utf8JsonReader reader) => StringOrNull(ref reader) ? reader.GetString() : null;

    /// <summary>Moves to a property's value: true on a string, false on null, a shape error otherwise.</summary>
    private static bool StringOrNull(ref Utf8JsonReader reader) => Next(ref reader) switch
    {
        JsonTokenType.String => true,
        JsonTokenType.Null => false,
        _ => throw Shape(ref reader, "a string"),
    };

    /// <summary>Moves to a value: true on an object's start, false on null, a shape error otherwise.</summary>
    private static bool StartObject(ref Utf8JsonReader reader) => Next(ref reader) switch
    {
        JsonTokenType.StartObject => true,
        JsonTokenType.Null => false,
        _ => throw Shape(ref reader, "an object"),
    };

    /// <summary>Moves to a value: true on an array's start, false on null, a shape error otherwise.</summary>
    private static bool StartArray(ref Utf8JsonReader reader) => Next(ref reader) switch
    {
        JsonTokenType.StartArray => true,
        JsonTokenType.Null => false,
        _ => throw Shape(ref reader, "an array"),
    };

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // On a complete buffer the reader throws on any cut-short JSON; running out here would be a reader bug.
        if (!reader.Read()) throw new JsonException("The JSON ended early.");
        return reader.TokenType;
    }

    private static ShapeMismatch Shape(ref Utf8JsonReader reader, string expected) =>
        new($"The JSON value at byte {reader.TokenStartIndex} is {reader.TokenType} where {expected} was expected.");

    /// <summary>JSON of another shape; thrown past the reader's exceptions, which are wrapped, and made a plain JsonException at the top.</summary>
    private sealed class ShapeMismatch(string message) : Exception(message);
}
