using System.Text.Json;
using System.Text.Json.Serialization;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>Compact JSON for the interactions' list columns: counterparts and attendees as arrays of arrays.</summary>
internal static partial class InteractionColumns
{
    public static string SerializeCounterparts(IReadOnlyList<Counterpart> list)
    {
        var writer = RentWriter();
        writer.WriteStartArray();
        foreach (var c in list)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(c.Address);
            if (c.DisplayName is null) writer.WriteNullValue(); else writer.WriteStringValue(c.DisplayName);
            writer.WriteNumberValue((int)c.Role);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        return Written(writer);
    }

    // One writer and buffer per thread, reset for each value: a scan writes a list column for every stored row.
    [ThreadStatic] private static Utf8JsonWriter? cachedWriter;
    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? cachedBuffer;

    private static Utf8JsonWriter RentWriter()
    {
        cachedBuffer ??= new System.Buffers.ArrayBufferWriter<byte>(1024);
        cachedBuffer.ResetWrittenCount();
        if (cachedWriter is null) cachedWriter = new Utf8JsonWriter(cachedBuffer);
        else cachedWriter.Reset(cachedBuffer);
        return cachedWriter;
    }

    private static string Written(Utf8JsonWriter writer)
    {
        writer.Flush();
        return System.Text.Encoding.UTF8.GetString(cachedBuffer!.WrittenSpan);
    }

    public static IReadOnlyList<Counterpart> DeserializeCounterparts(string json) =>
        DeserializeCounterparts(System.Text.Encoding.UTF8.GetBytes(json), null);

    /// <summary>
    /// The counterparts column from its UTF-8 bytes, with a forward-only reader (no document, no UTF-16 copy of the
    /// column); addresses and names come from <paramref name="strings"/> when given, so a read of many rows makes
    /// each distinct string once.
    /// </summary>
    public static IReadOnlyList<Counterpart> DeserializeCounterparts(ReadOnlySpan<byte> utf8, StringCache? strings)
    {
        var reader = new Utf8JsonReader(utf8);
        Expect(ref reader, JsonTokenType.StartArray);
        var result = new List<Counterpart>();
        while (Next(ref reader) == JsonTokenType.StartArray)
        {
            var address = RequiredString(ref reader, strings);
            var name = OptionalString(ref reader, strings);
            var role = (RecipientRole)Int(ref reader);
            Expect(ref reader, JsonTokenType.EndArray);
            result.Add(new Counterpart(address, name, role));
        }
        return result;
    }

    public static string SerializeAttendees(IReadOnlyList<Attendee> list)
    {
        var writer = RentWriter();
        writer.WriteStartArray();
        foreach (var a in list)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(a.Address);
            if (a.DisplayName is null) writer.WriteNullValue(); else writer.WriteStringValue(a.DisplayName);
            writer.WriteNumberValue((int)a.Kind);
            writer.WriteNumberValue((int)a.Response);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        return Written(writer);
    }

    public static IReadOnlyList<Attendee> DeserializeAttendees(string json) =>
        DeserializeAttendees(System.Text.Encoding.UTF8.GetBytes(json), null);

    /// <summary>The attendees column from its UTF-8 bytes, like <see cref="DeserializeCounterparts(ReadOnlySpan{byte}, StringCache?)"/>.</summary>
    public static IReadOnlyList<Attendee> DeserializeAttendees(ReadOnlySpan<byte> utf8, StringCache? strings)
    {
        var reader = new Utf8JsonReader(utf8);
        Expect(ref reader, JsonTokenType.StartArray);
        var result = new List<Attendee>();
        while (Next(ref reader) == JsonTokenType.StartArray)
        {
            var address = RequiredString(ref reader, strings);
            var name = OptionalString(ref reader, strings);
            var kind = (AttendeeKind)Int(ref reader);
            var response = (AttendeeResponse)Int(ref reader);
            Expect(ref reader, JsonTokenType.EndArray);
            result.Add(new Attendee(address, name, kind, response));
        }
        return result;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("A stored list column ends early.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type) throw new JsonException($"A stored list column has {reader.TokenType} where {type} belongs.");
    }

    // As JsonDocument's GetString()! read it before: a null address stays null.
    private static string RequiredString(ref Utf8JsonReader reader, StringCache? strings) => OptionalString(ref reader, strings)!;

    private static string? OptionalString(ref Utf8JsonReader reader, StringCache? strings) => Next(ref reader) switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => strings is null ? reader.GetString() : strings.Get(ref reader),
        var other => throw new JsonException($"A stored list column has {other} where a string belongs."),
    };

    private static int Int(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.Number);
        return reader.GetInt32();
    }

    /// <summary>
    /// One string per distinct value over a read of many rows (the same few hundred addresses recur in every row):
    /// looked up by the decoded characters, so a value seen before allocates nothing.
    /// </summary>
    internal sealed class StringCache
    {
        private readonly Dictionary<string, string> strings = new(StringComparer.Ordinal);
        private char[] buffer = new char[256];

        public string Get(ref Utf8JsonReader reader)
        {
            int max = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
            if (buffer.Length < max) buffer = new char[Math.Max(max, buffer.Length * 2)];
            return Get(buffer.AsSpan(0, reader.CopyString(buffer)));
        }

        /// <summary>The string of a UTF-8 column value (SQLite's text bytes), made once per distinct value.</summary>
        public string Get(ReadOnlySpan<byte> utf8)
        {
            int max = System.Text.Encoding.UTF8.GetMaxCharCount(utf8.Length);
            if (buffer.Length < max) buffer = new char[Math.Max(max, buffer.Length * 2)];
            return Get(buffer.AsSpan(0, System.Text.Encoding.UTF8.GetChars(utf8, buffer)));
        }

        private string Get(ReadOnlySpan<char> chars)
        {
            var lookup = strings.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(chars, out var known)) return known;
            if (strings.Count >= 100_000) strings.Clear(); // a bound: a mailbox with more distinct names pays an allocation now and then
            var made = new string(chars);
            strings[made] = made;
            return made;
        }
    }

    /// <summary>The owner addresses column.</summary>
    [JsonSerializable(typeof(string[]))]
    [JsonSerializable(typeof(IReadOnlyList<string>))]
    internal sealed partial class Json : JsonSerializerContext;
}
