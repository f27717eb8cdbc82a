using System.Globalization;
using MailRapport.Core;

namespace MailRapport.Server.Scanning;

/// <summary>
/// Graph message/event (as read from a delta page, GraphPageTypes.cs) -> interaction. Pure functions over what
/// Mail.ReadBasic.All and Calendars.ReadBasic.All return;
/// a result of null means "not an interaction" (draft, no sender, no times) and the caller counts it as skipped.
/// </summary>
internal sealed class GraphInteractionMapper(IEnumerable<string> ownerAddresses)
{
    /// <summary>The mailbox's stored owner addresses: canonical already (normalised when the mailbox was first scanned).</summary>
    private readonly HashSet<string> _owners = ownerAddresses.ToHashSet(StringComparer.Ordinal);

    /// <summary>A conversationIndex header block is 22 bytes; every reply or forward appends a 5-byte child block.</summary>
    private const int ConversationIndexHeaderLength = 22;

    public static string? MessageKey(GraphMessage message)
    {
        var id = message.InternetMessageId?.Trim().Trim('<', '>').Trim();
        if (!string.IsNullOrEmpty(id)) return id.ToLowerInvariant();
        return string.IsNullOrEmpty(message.Id) ? null : "graph:" + message.Id;
    }

    public MessageInteraction? Map(GraphMessage message)
    {
        if (message.IsDraft == true) return null;
        var key = MessageKey(message);
        var fromRecipient = message.From ?? message.Sender;
        var from = Address(fromRecipient?.EmailAddress?.Address);
        var when = message.SentDateTime ?? message.ReceivedDateTime;
        if (key is null || from is null || when is null) return null;

        bool outgoing = _owners.Contains(from);
        var counterparts = new List<Counterpart>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (!outgoing)
        {
            counterparts.Add(new Counterpart(from, DisplayName(fromRecipient!.EmailAddress!.Name, from), RecipientRole.From));
            seen.Add(from);
        }
        int recipientCount = 0;
        RecipientRole? ownerRole = null;
        void AddAll(List<GraphRecipient>? list, RecipientRole role)
        {
            if (list is null) return;
            foreach (var r in list)
            {
                if (r is null) continue; // a null entry in the list: not a recipient
                var address = Address(r.EmailAddress?.Address);
                if (address is null) continue;
                recipientCount++;
                if (_owners.Contains(address)) { ownerRole ??= role; continue; }
                if (seen.Add(address)) counterparts.Add(new Counterpart(address, DisplayName(r.EmailAddress!.Name, address), role));
            }
        }
        AddAll(message.ToRecipients, RecipientRole.To);
        AddAll(message.CcRecipients, RecipientRole.Cc);
        AddAll(message.BccRecipients, RecipientRole.Bcc);

        return new MessageInteraction
        {
            Key = key,
            Timestamp = when.Value.ToUniversalTime(),
            Direction = outgoing ? Direction.Outgoing : Direction.Incoming,
            From = from,
            FromDisplayName = DisplayName(fromRecipient!.EmailAddress!.Name, from),
            Counterparts = counterparts,
            RecipientCount = recipientCount,
            // Not on To or Cc of a message that reached the mailbox: it came by Bcc (or a list).
            OwnerRole = outgoing ? RecipientRole.To : ownerRole ?? RecipientRole.Bcc,
            ConversationId = string.IsNullOrEmpty(message.ConversationId) ? null : message.ConversationId,
            IsReply = IsReply(message),
            Markers = Markers(message.InternetMessageHeaders),
        };
    }

    internal static bool IsReply(GraphMessage message)
    {
        if (DecodedLength(message.ConversationIndex) is > 0 and var length)
            return length > ConversationIndexHeaderLength;
        return Subjects.HasReplyPrefix(message.Subject);
    }

    /// <summary>Bytes a base64 string decodes to, without decoding it; null when it is not base64.</summary>
    internal static int? DecodedLength(string? base64)
    {
        if (string.IsNullOrEmpty(base64) || base64.Length % 4 != 0) return null;
        int padding = base64[^1] == '=' ? (base64[^2] == '=' ? 2 : 1) : 0;
        return base64.Length / 4 * 3 - padding;
    }

    /// <summary>Bulk markers from the headers Graph returns (received mail only; Sent Items copies carry none).</summary>
    internal static AutomationMarkers Markers(List<GraphHeader>? headers)
    {
        if (headers is null) return AutomationMarkers.None;
        var markers = AutomationMarkers.None;
        foreach (var h in headers) markers |= AutomationHeaders.Of(h.Name, h.Value);
        return markers;
    }

    /// <summary>A recurring series' master: calendarView lists its occurrences, so the master itself would double count them.</summary>
    internal static bool IsSeriesMaster(GraphEvent e) => Is(e.Type, "seriesMaster");

    public MeetingInteraction? Map(GraphEvent e)
    {
        var organizer = Address(e.Organizer?.EmailAddress?.Address);
        if (string.IsNullOrEmpty(e.Id) || organizer is null || IsSeriesMaster(e)) return null;
        var start = ToUtc(e.Start?.DateTime, e.Start?.TimeZone);
        var end = ToUtc(e.End?.DateTime, e.End?.TimeZone);
        if (start is null || end is null) return null;

        var attendees = new List<Attendee>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in e.Attendees ?? [])
        {
            if (a is null) continue;
            var address = Address(a.EmailAddress?.Address);
            if (address is null || address == organizer || !seen.Add(address)) continue;
            var kind = Is(a.Type, "optional") ? AttendeeKind.Optional
                : Is(a.Type, "resource") ? AttendeeKind.Resource
                : AttendeeKind.Required;
            attendees.Add(new Attendee(address, DisplayName(a.EmailAddress!.Name, address), kind, Response(a.Status?.Response)));
        }
        var ownerResponse = e.IsOrganizer == true || _owners.Contains(organizer)
            ? AttendeeResponse.Organizer
            : Response(e.ResponseStatus?.Response);
        return new MeetingInteraction
        {
            Key = e.Id,
            Organizer = organizer,
            OrganizerDisplayName = DisplayName(e.Organizer!.EmailAddress!.Name, organizer),
            Attendees = attendees,
            Start = start.Value,
            End = end.Value,
            IsCancelled = e.IsCancelled == true,
            IsRecurring = Is(e.Type, "occurrence") || Is(e.Type, "exception") || e.SeriesMasterId is not null,
            OwnerResponse = ownerResponse,
        };
    }

    /// <summary>Graph's responseType names; unknown or missing is None.</summary>
    private static AttendeeResponse Response(string? response) =>
        Is(response, "organizer") ? AttendeeResponse.Organizer
        : Is(response, "accepted") ? AttendeeResponse.Accepted
        : Is(response, "tentativelyAccepted") ? AttendeeResponse.TentativelyAccepted
        : Is(response, "declined") ? AttendeeResponse.Declined
        : Is(response, "notResponded") ? AttendeeResponse.NotResponded
        : AttendeeResponse.None;

    /// <summary>Graph's enum members, compared as the SDK's parser does (ignoring case).</summary>
    private static bool Is(string? value, string member) => string.Equals(value, member, StringComparison.OrdinalIgnoreCase);

    /// <summary>dateTimeTimeZone -> UTC. We ask for UTC (Prefer: outlook.timezone="UTC"); other zones (IANA or Windows ids) are converted when known.</summary>
    internal static DateTimeOffset? ToUtc(string? dateTime, string? timeZone)
    {
        if (dateTime is null) return null;
        if (!DateTime.TryParse(dateTime, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local)) return null;
        var tz = string.IsNullOrWhiteSpace(timeZone) ? TimeZoneInfo.Utc : TimeZones.Find(timeZone);
        return tz is null ? null : TimeZones.ToInstant(local, tz).ToUniversalTime();
    }

    // Addresses and names are normalised and neutralised here, where Graph data enters (the import does the same).
    private static string? Address(string? raw) => EmailAddress.Normalize(raw);
    private static string? DisplayName(string? name, string address) => EmailAddress.DisplayNameFor(name, address);
}
