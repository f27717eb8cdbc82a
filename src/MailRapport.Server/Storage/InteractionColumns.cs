using System.Text.Json;
using System.Text.Json.Serialization;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>Compact JSON for the interactions' list columns: counterparts and attendees as arrays of arrays.</summary>
internal static partial class InteractionColumns
{
    public static string SerializeCounterparts(IReadOnlyList<Counterpart> list)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
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
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static IReadOnlyList<Counterpart> DeserializeCounterparts(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = new List<Counterpart>(doc.RootElement.GetArrayLength());
        foreach (var e in doc.RootElement.EnumerateArray())
            result.Add(new Counterpart(e[0].GetString()!, e[1].GetString(), (RecipientRole)e[2].GetInt32()));
        return result;
    }

    public static string SerializeAttendees(IReadOnlyList<Attendee> list)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
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
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static IReadOnlyList<Attendee> DeserializeAttendees(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = new List<Attendee>(doc.RootElement.GetArrayLength());
        foreach (var e in doc.RootElement.EnumerateArray())
            result.Add(new Attendee(e[0].GetString()!, e[1].GetString(), (AttendeeKind)e[2].GetInt32(), (AttendeeResponse)e[3].GetInt32()));
        return result;
    }

    /// <summary>The owner addresses column.</summary>
    [JsonSerializable(typeof(string[]))]
    [JsonSerializable(typeof(IReadOnlyList<string>))]
    internal sealed partial class Json : JsonSerializerContext;
}
