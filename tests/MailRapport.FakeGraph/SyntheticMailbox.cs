using MailRapport.Core;

namespace MailRapport.FakeGraph;

/// <summary>
/// Builds a served mailbox from interactions: incoming mail spread over Inbox, an Inbox subfolder tree and Archive,
/// outgoing mail in Sent Items, some messages copied into a second folder (same internetMessageId), and noise in
/// Deleted Items, Junk and Drafts that a scan must not count. Deterministic for a seed.
/// </summary>
public static class SyntheticMailbox
{
    public const string Owner = "owner@example.com";

    public static FakeMailbox Build(string owner, IEnumerable<MessageInteraction> messages, IEnumerable<MeetingInteraction> meetings, int seed = 1)
    {
        var random = new Random(seed);
        var box = new FakeMailbox(owner, "Mailbox Owner");
        var inbox = box.Folder("inbox");
        var projects = box.AddFolder("Projects", inbox.Id);
        var clients = box.AddFolder("Clients 2025", projects.Id);
        var archive = box.Folder("archive");
        var sent = box.Folder("sentitems");
        var deleted = box.Folder("deleteditems");
        var deletedSub = box.AddFolder("Old stuff", deleted.Id);
        string[] incomingFolders = [inbox.Id, inbox.Id, inbox.Id, projects.Id, clients.Id, archive.Id];
        foreach (var m in messages)
        {
            var folder = m.Direction == Direction.Outgoing ? sent.Id : incomingFolders[random.Next(incomingFolders.Length)];
            box.AddMessage(folder, m);
            if (random.NextDouble() < 0.03) box.AddMessage(archive.Id, m); // a copy filed twice
        }
        int noise = 0;
        foreach (var folder in new[] { deleted.Id, deletedSub.Id, box.Folder("junkemail").Id, box.Folder("drafts").Id, box.Folder("conversationhistory").Id })
            for (int i = 0; i < 3; i++)
                box.AddMessage(folder, Message($"noise-{++noise}@junk.example", new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(noise),
                    $"spam{noise}@junk.example", owner, Direction.Incoming));
        foreach (var meeting in meetings) box.PutEvent(meeting);
        return box;
    }

    /// <summary>A simple mailbox for tests and benchmarks: <paramref name="count"/> messages with a few hundred correspondents.</summary>
    public static (List<MessageInteraction> Messages, List<MeetingInteraction> Meetings) Generate(int count, int meetings, DateTimeOffset end, int seed = 7, string owner = Owner)
    {
        var random = new Random(seed);
        int people = Math.Max(20, Math.Min(2000, count / 50));
        var messages = new List<MessageInteraction>(count);
        var start = end.AddYears(-2);
        var span = (end - start).TotalSeconds;
        for (int i = 0; i < count; i++)
        {
            var person = $"person{random.Next(people)}@corp{random.Next(1, 8)}.example";
            var when = start.AddSeconds(Math.Floor(random.NextDouble() * span));
            var outgoing = random.NextDouble() < 0.3;
            var extra = random.NextDouble() < 0.25 ? $"person{random.Next(people)}@corp{random.Next(1, 8)}.example" : null;
            var m = Message($"msg{i}.{seed}@mail.example", when, outgoing ? owner : person, outgoing ? person : owner,
                outgoing ? Direction.Outgoing : Direction.Incoming, extra, random.NextDouble() < 0.4,
                random.NextDouble() < 0.05 ? AutomationMarkers.ListId | AutomationMarkers.ListUnsubscribe : AutomationMarkers.None,
                ownerRole: !outgoing && extra is not null && random.NextDouble() < 0.3 ? RecipientRole.Cc : RecipientRole.To,
                conversation: $"conv{i / 3}");
            messages.Add(m);
        }
        var list = new List<MeetingInteraction>(meetings);
        for (int i = 0; i < meetings; i++)
        {
            var organizerIsOwner = random.NextDouble() < 0.4;
            var person = $"person{random.Next(people)}@corp{random.Next(1, 8)}.example";
            var when = end.AddDays(-random.Next(0, 1000)).AddHours(random.Next(8, 18));
            var attendees = new List<Attendee>
            {
                organizerIsOwner
                    ? new Attendee(person, $"Person {person[..person.IndexOf('@')]}", AttendeeKind.Required, AttendeeResponse.Accepted)
                    : new Attendee(owner, "Mailbox Owner", AttendeeKind.Required, AttendeeResponse.Accepted),
            };
            if (random.NextDouble() < 0.3) attendees.Add(new Attendee("room1@corp1.example", "Room 1", AttendeeKind.Resource, AttendeeResponse.Accepted));
            if (random.NextDouble() < 0.3) attendees.Add(new Attendee($"person{random.Next(people)}@corp9.example", null, AttendeeKind.Optional, AttendeeResponse.TentativelyAccepted));
            list.Add(new MeetingInteraction
            {
                Key = $"AAMkEvt{i:D6}.{seed}=",
                Organizer = organizerIsOwner ? owner : person,
                OrganizerDisplayName = organizerIsOwner ? "Mailbox Owner" : $"Person {person[..person.IndexOf('@')]}",
                Attendees = attendees,
                Start = when,
                End = when.AddMinutes(30 * random.Next(1, 5)),
                IsCancelled = random.NextDouble() < 0.05,
                IsRecurring = random.NextDouble() < 0.3,
                OwnerResponse = organizerIsOwner ? AttendeeResponse.Organizer
                    : random.NextDouble() < 0.1 ? AttendeeResponse.Declined : AttendeeResponse.Accepted,
            });
        }
        return (messages, list);
    }

    public static MessageInteraction Message(string key, DateTimeOffset when, string from, string to, Direction direction,
        string? cc = null, bool reply = false, AutomationMarkers markers = AutomationMarkers.None,
        RecipientRole ownerRole = RecipientRole.To, string? conversation = null)
    {
        var counterparts = new List<Counterpart>();
        if (direction == Direction.Incoming)
        {
            counterparts.Add(new Counterpart(from, NameOf(from), RecipientRole.From));
            if (ownerRole != RecipientRole.To) counterparts.Add(new Counterpart("colleague@corp1.example", "Colleague", RecipientRole.To));
        }
        else counterparts.Add(new Counterpart(to, NameOf(to), RecipientRole.To));
        if (cc is not null && counterparts.All(c => c.Address != cc)) counterparts.Add(new Counterpart(cc, NameOf(cc), RecipientRole.Cc));
        int recipients = counterparts.Count(c => c.Role != RecipientRole.From) + (direction == Direction.Incoming ? 1 : 0);
        return new MessageInteraction
        {
            Key = key,
            Timestamp = when,
            Direction = direction,
            From = from,
            FromDisplayName = NameOf(from),
            Counterparts = counterparts,
            RecipientCount = recipients,
            OwnerRole = direction == Direction.Incoming ? ownerRole : RecipientRole.To,
            ConversationId = conversation ?? "conv-" + key,
            IsReply = reply,
            Markers = markers,
        };
    }

    private static string NameOf(string address) =>
        string.Join(' ', address[..address.IndexOf('@')].Split('.', '-').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
}
