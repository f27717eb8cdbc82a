namespace MailRapport.Core.Sample;

/// <summary>
/// The sample's building blocks: messages, threads and meetings in the owner's mailbox, and the random draws behind
/// them (one seeded generator, so the same calls in the same order give the same mailbox).
/// </summary>
internal sealed class SampleMailWriter(SampleOptions options)
{
    private const string OwnerAddress = SampleMailboxGenerator.OwnerAddress;
    private const string OwnerName = SampleMailboxGenerator.OwnerName;
    private int _messageCounter, _threadCounter, _meetingCounter;

    public Random Rng { get; } = new(options.Seed);
    public DateTimeOffset End { get; } = options.End.ToUniversalTime();
    public List<MessageInteraction> Messages { get; } = [];
    public List<MeetingInteraction> Meetings { get; } = [];

    public void Thread(SamplePersona p, DateTimeOffset t, bool ownerStarts, int messages, Func<double> mineHours, Func<double> theirsHours,
        SamplePersona? cc, DateTimeOffset until)
    {
        var conversation = Conversation();
        bool owner = ownerStarts;
        for (int i = 0; i < messages && t < End && t <= until.AddDays(2); i++)
        {
            if (owner) Outgoing(p, t, conversation, i > 0, cc);
            else Incoming(p, t, conversation, i > 0, cc: cc);
            owner = !owner;
            t = t.AddHours(owner ? mineHours() : theirsHours());
        }
    }

    public void Outgoing(SamplePersona p, DateTimeOffset t, string conversation, bool isReply, SamplePersona? cc = null)
    {
        List<Counterpart> to = [new(p.Address, p.DisplayName, RecipientRole.To)];
        if (cc is not null && cc.Address != p.Address) to.Add(new(cc.Address, cc.DisplayName, RecipientRole.Cc));
        AddMessage(t, Direction.Outgoing, OwnerAddress, OwnerName, to, to.Count, RecipientRole.From, conversation, isReply, AutomationMarkers.None);
    }

    public void Incoming(SamplePersona p, DateTimeOffset t, string conversation, bool isReply, AutomationMarkers markers = AutomationMarkers.None, SamplePersona? cc = null)
    {
        List<Counterpart> people = [new(p.Address, p.DisplayName, RecipientRole.From)];
        if (cc is not null && cc.Address != p.Address) people.Add(new(cc.Address, cc.DisplayName, RecipientRole.Cc));
        AddMessage(t, Direction.Incoming, p.Address, p.DisplayName, people, people.Count, RecipientRole.To, conversation, isReply, markers);
    }

    public void AddMessage(DateTimeOffset t, Direction direction, string from, string? fromName, IReadOnlyList<Counterpart> counterparts,
        int recipientCount, RecipientRole ownerRole, string conversation, bool isReply, AutomationMarkers markers)
    {
        if (t >= End) return;
        Messages.Add(new MessageInteraction
        {
            Key = $"s{options.Seed}.m{++_messageCounter}@sample.mailrapport.example", // normalised like Graph and import keys: no brackets, lower case
            Timestamp = new DateTimeOffset(t.UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero),
            Direction = direction,
            From = from,
            FromDisplayName = fromName,
            Counterparts = counterparts,
            RecipientCount = recipientCount,
            OwnerRole = ownerRole,
            ConversationId = conversation,
            IsReply = isReply,
            Markers = markers,
        });
    }

    public void Meeting(string organizer, string? organizerName, IReadOnlyList<Attendee> attendees, DateTimeOffset start, TimeSpan length,
        bool recurring = false, bool cancelled = false, AttendeeResponse ownerResponse = AttendeeResponse.Accepted)
    {
        if (start > End.AddDays(90)) return;
        if (organizer == OwnerAddress) ownerResponse = AttendeeResponse.Organizer;
        var startUtc = new DateTimeOffset(start.UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        Meetings.Add(new MeetingInteraction
        {
            Key = $"s{options.Seed}.e{++_meetingCounter}",
            Organizer = organizer,
            OrganizerDisplayName = organizerName,
            Attendees = attendees,
            Start = startUtc,
            End = startUtc + length,
            IsCancelled = cancelled,
            IsRecurring = recurring,
            OwnerResponse = ownerResponse,
        });
    }

    public static Attendee Person(SamplePersona p) => new(p.Address, p.DisplayName, AttendeeKind.Required, AttendeeResponse.Accepted);
    public static Attendee Owner(AttendeeResponse response) => new(OwnerAddress, OwnerName, AttendeeKind.Required, response);
    public Attendee Room() => new($"room-{Rng.Next(1, 6)}@contoso.example", "Meeting room", AttendeeKind.Resource, AttendeeResponse.Accepted);

    public string Conversation() => $"s{options.Seed}.c{++_threadCounter}";

    public DateTimeOffset DaysAgo(double days) => End.AddDays(-days);
    public double Uniform(double min, double max) => min + (max - min) * Rng.NextDouble();

    /// <summary>Reply latency in hours, log-normal around a median.</summary>
    public double LogNormal(double medianHours)
    {
        double u1 = 1 - Rng.NextDouble(), u2 = Rng.NextDouble();
        double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Clamp(medianHours * Math.Exp(0.6 * z), 0.1, 60);
    }

    /// <summary>Moves an instant into working hours (08:00–18:00 UTC) on the same day.</summary>
    public DateTimeOffset WorkHours(DateTimeOffset t)
    {
        var day = new DateTimeOffset(t.UtcDateTime.Date, TimeSpan.Zero);
        return day.AddHours(8 + 10 * Rng.NextDouble());
    }
}
