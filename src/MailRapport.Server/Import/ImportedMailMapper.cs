using System.Security.Cryptography;
using System.Text;
using MailRapport.Core;

namespace MailRapport.Server.Import;

/// <summary>
/// An imported mail as Core's interactions: a message with its counterparts and the owner's role, or the meeting an
/// Outlook calendar item or an invitation describes, with the owner's response.
/// </summary>
internal static class ImportedMailMapper
{
    internal static MessageInteraction ToMessage(ParsedMail mail, string key, HashSet<string> owners, string? conversationId)
    {
        bool outgoing = owners.Contains(mail.From.Address);
        var counterparts = new List<Counterpart>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (!outgoing)
        {
            counterparts.Add(new Counterpart(mail.From.Address, mail.From.DisplayName, RecipientRole.From));
            seen.Add(mail.From.Address);
        }
        var ownerRole = RecipientRole.Bcc; // not listed: a blind copy or a list delivery
        bool ownerFound = false;
        var recipients = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (list, role) in new[] { (mail.To, RecipientRole.To), (mail.Cc, RecipientRole.Cc), (mail.Bcc, RecipientRole.Bcc) })
        {
            foreach (var a in list)
            {
                recipients.Add(a.Address);
                if (owners.Contains(a.Address))
                {
                    if (!ownerFound) { ownerRole = role; ownerFound = true; }
                    continue;
                }
                if (seen.Add(a.Address)) counterparts.Add(new Counterpart(a.Address, a.DisplayName, role));
            }
        }
        return new MessageInteraction
        {
            Key = key,
            Timestamp = mail.Timestamp.ToUniversalTime(),
            Direction = outgoing ? Direction.Outgoing : Direction.Incoming,
            From = mail.From.Address,
            FromDisplayName = mail.From.DisplayName,
            Counterparts = counterparts,
            RecipientCount = recipients.Count,
            OwnerRole = outgoing ? RecipientRole.To : ownerRole,
            ConversationId = conversationId,
            IsReply = mail.InReplyTo is not null || mail.References.Count > 0 || Subjects.HasReplyPrefix(mail.Subject),
            Markers = mail.Markers,
        };
    }

    /// <summary>Outlook calendar items exported as mail: organizer in From, attendees in To/Cc; the export has no start or end, so the item's date stands for the start and one hour for the length.</summary>
    internal static MeetingInteraction? CalendarItemMeeting(ParsedMail mail, string key, HashSet<string> owners)
    {
        var attendees = mail.To.Select(a => (a, AttendeeKind.Required)).Concat(mail.Cc.Select(a => (a, AttendeeKind.Optional)))
            .Where(x => x.a.Address != mail.From.Address)
            .DistinctBy(x => x.a.Address)
            .Select(x => new Attendee(x.a.Address, x.a.DisplayName, x.Item2, AttendeeResponse.None))
            .ToList();
        var meeting = new MeetingInteraction
        {
            Key = key,
            Organizer = mail.From.Address,
            OrganizerDisplayName = mail.From.DisplayName,
            Attendees = attendees,
            Start = mail.Timestamp.ToUniversalTime(),
            End = mail.Timestamp.ToUniversalTime().AddHours(1),
            IsCancelled = mail.Subject.StartsWith("Canceled:", StringComparison.OrdinalIgnoreCase) || mail.Subject.StartsWith("Cancelled:", StringComparison.OrdinalIgnoreCase),
        };
        return WithOwnerResponse(meeting, owners);
    }

    internal static MeetingInteraction? InvitationMeeting(ParsedMail mail, InvitationText inv, NameDirectory names, HashSet<string> owners, ImportReport report)
    {
        var organizer = names.Resolve(inv.Chairperson);
        if (organizer is null)
        {
            report.InviteesUnresolved++;
            organizer = mail.From.Address; // the mail's sender published the entry
        }
        var attendees = new List<Attendee>();
        foreach (var name in inv.Invitees)
        {
            var address = names.Resolve(name);
            if (address is null) { report.InviteesUnresolved++; continue; }
            if (address != organizer && attendees.All(a => a.Address != address))
                attendees.Add(new Attendee(address, DisplayText.Name(name), AttendeeKind.Required, AttendeeResponse.None));
        }
        var basis = $"{organizer}|{inv.Start.ToUnixTimeSeconds()}|{inv.End.ToUnixTimeSeconds()}|{string.Join(',', attendees.Select(a => a.Address).Order(StringComparer.Ordinal))}";
        var meeting = new MeetingInteraction
        {
            Key = "inv:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(basis)).AsSpan(0, 16)),
            Organizer = organizer,
            OrganizerDisplayName = DisplayText.Name(inv.Chairperson),
            Attendees = attendees,
            Start = inv.Start.ToUniversalTime(),
            End = inv.End.ToUniversalTime(),
        };
        return WithOwnerResponse(meeting, owners);
    }

    internal static MeetingInteraction WithOwnerResponse(MeetingInteraction meeting, HashSet<string> owners)
    {
        if (owners.Contains(meeting.Organizer)) return meeting with { OwnerResponse = AttendeeResponse.Organizer };
        foreach (var a in meeting.Attendees)
            if (owners.Contains(a.Address) && a.Response != AttendeeResponse.None)
                return meeting with { OwnerResponse = a.Response };
        return meeting; // the contract's default: Accepted
    }
}
