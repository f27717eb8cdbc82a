namespace MailRapport.Core.Tests;

/// <summary>Builds small interaction histories for tests: times are days (and hours) after a fixed origin.</summary>
internal sealed class History
{
    public const string Owner = "me@home.example";
    public static readonly DateTimeOffset Origin = new(2024, 1, 1, 9, 0, 0, TimeSpan.Zero);
    private int _n;

    public List<Interaction> Items { get; } = [];

    public static DateTimeOffset At(double days) => Origin.AddDays(days);

    public History Out(string to, double day, string? conversation = null, RecipientRole role = RecipientRole.To, int recipients = 1)
    {
        Items.Add(new MessageInteraction
        {
            Key = $"m{++_n}@test", Timestamp = At(day), Direction = Direction.Outgoing, From = Owner,
            Counterparts = [new Counterpart(to, null, role)], RecipientCount = recipients, ConversationId = conversation,
        });
        return this;
    }

    public History In(string from, double day, string? conversation = null, AutomationMarkers markers = AutomationMarkers.None,
        RecipientRole ownerRole = RecipientRole.To, int recipients = 1, string? name = null)
    {
        Items.Add(new MessageInteraction
        {
            Key = $"m{++_n}@test", Timestamp = At(day), Direction = Direction.Incoming, From = from, FromDisplayName = name,
            Counterparts = [new Counterpart(from, name, RecipientRole.From)], RecipientCount = recipients, OwnerRole = ownerRole,
            ConversationId = conversation, Markers = markers,
        });
        return this;
    }

    /// <summary>A thread: alternating messages starting with the owner (or them), each answer after the given hours.</summary>
    public History Exchange(string who, double day, int messages, double replyHours, bool ownerStarts = true, string? conversation = null)
    {
        conversation ??= $"c{++_n}";
        var t = day;
        bool owner = ownerStarts;
        for (int i = 0; i < messages; i++)
        {
            if (owner) Out(who, t, conversation); else In(who, t, conversation);
            owner = !owner;
            t += replyHours / 24;
        }
        return this;
    }

    public History Meeting(double day, double hours, string organizer, params Attendee[] attendees) =>
        Meeting(day, hours, organizer, cancelled: false, AttendeeResponse.Accepted, attendees);

    public History Meeting(double day, double hours, string organizer, bool cancelled, AttendeeResponse ownerResponse, params Attendee[] attendees)
    {
        Items.Add(new MeetingInteraction
        {
            Key = $"e{++_n}", Organizer = organizer, Attendees = attendees, Start = At(day), End = At(day).AddHours(hours),
            IsCancelled = cancelled, OwnerResponse = ownerResponse,
        });
        return this;
    }

    public static Attendee Person(string address, AttendeeResponse response = AttendeeResponse.Accepted) =>
        new(address, null, AttendeeKind.Required, response);

    /// <summary>
    /// Profiles as of a day. By default the mailbox is complete: other people write and are written to every week, so
    /// both directions are stored in every month (the model judges balance only where they are).
    /// </summary>
    public IReadOnlyList<ContactProfile> Profiles(double asOfDay, StageModelOptions? options = null, IReadOnlyDictionary<string, bool>? overrides = null,
        bool completeMailbox = true) =>
        new RelationshipModel(options ?? new StageModelOptions()).Compute([Owner], completeMailbox ? [.. Items, .. Background(-7, asOfDay)] : Items,
            At(asOfDay), overrides);

    public ContactProfile Profile(string address, double asOfDay, StageModelOptions? options = null, IReadOnlyDictionary<string, bool>? overrides = null,
        bool completeMailbox = true) =>
        Profiles(asOfDay, options, overrides, completeMailbox).Single(p => p.Address == address);

    /// <summary>Addresses of the background mail that makes a mailbox complete.</summary>
    public const string BackgroundDomain = "@background.example";

    /// <summary>A message each way every week with other people, from one day to another.</summary>
    public static IEnumerable<Interaction> Background(double fromDay, double toDay, bool received = true, bool sent = true)
    {
        int n = 0;
        for (double d = fromDay; d < toDay; d += 7, n++)
        {
            if (sent)
                yield return new MessageInteraction
                {
                    Key = $"bg-out{n}@test", Timestamp = At(d), Direction = Direction.Outgoing, From = Owner,
                    Counterparts = [new Counterpart($"peer{n % 5}{BackgroundDomain}", null, RecipientRole.To)], RecipientCount = 1,
                    ConversationId = $"bg-out{n}",
                };
            if (received)
                yield return new MessageInteraction
                {
                    Key = $"bg-in{n}@test", Timestamp = At(d + 0.5), Direction = Direction.Incoming, From = $"colleague{n % 5}{BackgroundDomain}",
                    Counterparts = [new Counterpart($"colleague{n % 5}{BackgroundDomain}", null, RecipientRole.From)], RecipientCount = 1,
                    ConversationId = $"bg-in{n}",
                };
        }
    }
}
