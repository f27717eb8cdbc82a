namespace MailRapport.Core.Sample;

/// <summary>
/// Builds a deterministic synthetic mailbox: about two years of one owner's mail and calendar with correspondents
/// drawn from personas, each meant to show one stage. Same seed and end, same mailbox. Like a real mailbox it is
/// incomplete (received mail is kept only for the last months, <see cref="SampleOptions.ReceivedKeptMonths"/>), and
/// has people who answer by meeting and answers that are slow once.
/// </summary>
public static class SampleMailboxGenerator
{
    public const string OwnerAddress = "alex.morgan@contoso.example";
    public const string OwnerName = "Alex Morgan";

    private sealed record Kind(string Name, int Weight, Stage Stage, Nurture? Nurture, bool Automated);

    private static readonly Kind[] Kinds =
    [
        new("collaborator", 12, Stage.Relationship, Nurture.Active, false),
        new("monthly-relationship", 4, Stage.Relationship, Nurture.Active, false),
        new("cooling-relationship", 5, Stage.Relationship, Nurture.Cooling, false),
        new("dormant-relationship", 4, Stage.Relationship, Nurture.Dormant, false),
        new("new-rapport", 9, Stage.Rapport, Nurture.Active, false),
        new("growing-rapport", 6, Stage.Rapport, Nurture.Active, false),
        new("faded-rapport", 3, Stage.Rapport, Nurture.Dormant, false),
        new("answers-by-meeting", 3, Stage.Rapport, Nurture.Active, false),
        new("one-slow-reply", 3, Stage.Rapport, Nurture.Active, false),
        new("one-off", 14, Stage.Contact, null, false),
        new("met-once", 5, Stage.Contact, null, false),
        new("cold-inbound", 9, Stage.Contact, null, false),
        new("cold-outbound", 4, Stage.Contact, null, false),
        new("slow-acquaintance", 4, Stage.Contact, null, false),
        new("newsletter", 8, Stage.Contact, null, true),
        new("no-reply", 6, Stage.Contact, null, true),
        new("mass-mail", 3, Stage.Contact, null, true),
    ];

    private static readonly string[] FirstNames =
    [
        "Maria", "Jonas", "Priya", "Tomás", "Aiko", "Lena", "Omar", "Grace", "Mateo", "Sofia", "Ravi", "Hannah", "Kwame", "Elif",
        "Noah", "Ines", "Yuki", "Daniel", "Amara", "Lucas", "Chen", "Olivia", "Fatima", "Erik", "Zara", "Pablo", "Mei", "Samuel",
    ];

    private static readonly string[] LastNames =
    [
        "Garcia", "Becker", "Sharma", "Silva", "Tanaka", "Novak", "Haddad", "Okafor", "Rossi", "Lindqvist", "Kim", "Dubois",
        "Mensah", "Yilmaz", "Walsh", "Costa", "Ito", "Fischer", "Nwosu", "Moreau", "Wang", "Brennan", "Rahman", "Berg",
    ];

    private static readonly string[] Companies = ["fabrikam", "northwind", "adventure-works", "tailspin", "litware", "wingtip", "proseware", "woodgrove"];

    public static SampleMailbox Generate(SampleOptions? options = null)
    {
        options ??= new SampleOptions();
        var g = new Generation(options);
        g.Run();
        // The inbox's retention policy: received mail older than the kept months is gone; sent mail stays.
        var receivedFrom = options.ReceivedKeptMonths is { } kept ? options.End.ToUniversalTime().AddMonths(-kept) : DateTimeOffset.MinValue;
        return new SampleMailbox(OwnerAddress, OwnerName, options.End,
            g.Messages.Where(m => m.Direction == Direction.Outgoing || m.Timestamp >= receivedFrom).OrderBy(m => m.Timestamp).ThenBy(m => m.Key, StringComparer.Ordinal).ToList(),
            g.Meetings.OrderBy(m => m.Start).ThenBy(m => m.Key, StringComparer.Ordinal).ToList(),
            g.Personas);
    }

    private sealed class Generation(SampleOptions options)
    {
        private readonly Random _rng = new(options.Seed);
        private readonly DateTimeOffset _end = options.End.ToUniversalTime();
        private readonly HashSet<string> _addresses = new(StringComparer.Ordinal);
        private readonly List<(string Address, string Name)> _staff = [];
        private readonly List<SamplePersona> _collaborators = [];
        private int _messageCounter, _threadCounter, _meetingCounter;

        public List<MessageInteraction> Messages { get; } = [];
        public List<MeetingInteraction> Meetings { get; } = [];
        public List<SamplePersona> Personas { get; } = [];

        public void Run()
        {
            for (int i = 0; i < 60; i++) _staff.Add(NewPerson("contoso"));
            int total = Kinds.Sum(k => k.Weight);
            int n = Math.Max(Kinds.Length, options.Correspondents);
            for (int i = 0; i < n; i++)
            {
                // Spread kinds evenly by weight so any size keeps the same mix.
                double position = (i + 0.5) * total / n;
                var kind = Kinds[0];
                for (int k = 0, acc = 0; k < Kinds.Length; k++)
                {
                    acc += Kinds[k].Weight;
                    if (position < acc) { kind = Kinds[k]; break; }
                }
                Personas.Add(Create(kind));
            }
            TeamMeetings();
        }

        private SamplePersona Create(Kind kind)
        {
            var (address, name) = kind.Name switch
            {
                "newsletter" => NewService(["hello", "team", "insights", "community", "events"]),
                "no-reply" => NewService(["no-reply", "noreply", "notifications", "donotreply", "alerts"]),
                "mass-mail" => NewService(["ceo-office", "communications", "hr-announce", "it-service"], "contoso"),
                _ => NewPerson(Companies[_rng.Next(Companies.Length)]),
            };
            var persona = new SamplePersona(address, name, kind.Name, kind.Stage, kind.Nurture, kind.Automated);
            switch (kind.Name)
            {
                case "collaborator":
                    Relationship(persona, lastDaysAgo: Uniform(0, 6), spanDays: Uniform(420, 700), meanGapDays: 6);
                    _collaborators.Add(persona);
                    break;
                case "monthly-relationship":
                    // A slower rhythm: a month of silence is normal for this tie and must not read as Cooling.
                    Relationship(persona, lastDaysAgo: Uniform(30, 45), spanDays: Uniform(500, 700), meanGapDays: 30, meetingEveryDays: 90);
                    break;
                case "cooling-relationship":
                    Relationship(persona, lastDaysAgo: Uniform(45, 75), spanDays: Uniform(300, 500), meanGapDays: 5);
                    break;
                case "dormant-relationship":
                    Relationship(persona, lastDaysAgo: Uniform(130, 300), spanDays: Uniform(250, 420), meanGapDays: 6);
                    break;
                case "new-rapport":
                    Rapport(persona, startDaysAgo: Uniform(12, 45), lastDaysAgo: Uniform(0, 7), threads: _rng.Next(2, 5), meetingChance: 0.3);
                    break;
                case "growing-rapport":
                    Rapport(persona, startDaysAgo: Uniform(60, 140), lastDaysAgo: Uniform(0, 10), threads: _rng.Next(4, 8), meetingChance: 0.6);
                    break;
                case "faded-rapport":
                    var fadedEnd = Uniform(200, 400);
                    Rapport(persona, startDaysAgo: fadedEnd + Uniform(20, 40), lastDaysAgo: fadedEnd, threads: 3, meetingChance: 0);
                    break;
                case "answers-by-meeting": AnswersByMeeting(persona); break;
                case "one-slow-reply": OneSlowReply(persona); break;
                case "one-off": OneOff(persona); break;
                case "met-once": MetOnce(persona); break;
                case "cold-inbound": ColdInbound(persona); break;
                case "cold-outbound": ColdOutbound(persona); break;
                case "slow-acquaintance": SlowAcquaintance(persona); break;
                case "newsletter": Newsletter(persona); break;
                case "no-reply": NoReply(persona); break;
                case "mass-mail": MassMail(persona); break;
            }
            return persona;
        }

        // ---- personas ----

        private void Relationship(SamplePersona p, double lastDaysAgo, double spanDays, double meanGapDays, double meetingEveryDays = 14)
        {
            var last = DaysAgo(lastDaysAgo);
            var start = last.AddDays(-spanDays);
            var t = start;
            bool ownerStarts = _rng.NextDouble() < 0.5;
            while (t <= last)
            {
                if (t > last.AddDays(-meanGapDays * 0.6)) t = last; // the tie's last exchange falls on its last day
                var cc = _collaborators.Count > 0 && _rng.NextDouble() < 0.15 ? _collaborators[_rng.Next(_collaborators.Count)] : null;
                Thread(p, WorkHours(t), ownerStarts, _rng.Next(2, 6), mineHours: () => LogNormal(3), theirsHours: () => LogNormal(4), cc, until: last);
                ownerStarts = !ownerStarts;
                if (t == last) break;
                t = t.AddDays(meanGapDays * (0.6 + 0.8 * _rng.NextDouble()));
            }
            // Recurring 1:1s (a few cancelled or declined, which must not count), and one scheduled after the end.
            for (var m = start.AddDays(20); m < last.AddDays(meetingEveryDays == 14 ? 60 : 0); m = m.AddDays(meetingEveryDays))
            {
                if (m > last && m < _end) continue; // silence means no meetings either
                var when = WorkHours(m);
                double roll = _rng.NextDouble();
                if (roll is >= 0.05 and < 0.1) // their invitation, which the owner declined: not a shared experience
                    Meeting(p.Address, p.DisplayName, [Owner(AttendeeResponse.Declined)], when, TimeSpan.FromMinutes(30), recurring: true,
                        ownerResponse: AttendeeResponse.Declined);
                else
                    Meeting(OwnerAddress, OwnerName, [Person(p)], when, TimeSpan.FromMinutes(30), recurring: true, cancelled: roll < 0.05);
            }
        }

        private void Rapport(SamplePersona p, double startDaysAgo, double lastDaysAgo, int threads, double meetingChance)
        {
            var start = DaysAgo(startDaysAgo);
            var last = DaysAgo(lastDaysAgo);
            double step = (last - start).TotalDays / Math.Max(1, threads - 1);
            for (int i = 0; i < threads; i++)
            {
                var t = i == threads - 1 ? last.AddHours(-12) : start.AddDays(step * i);
                Thread(p, WorkHours(t), ownerStarts: i % 2 == 0, _rng.Next(3, 6), mineHours: () => LogNormal(2), theirsHours: () => LogNormal(2.5), null, until: last);
            }
            if (_rng.NextDouble() < meetingChance)
                Meeting(p.Address, p.DisplayName, [Owner(AttendeeResponse.Accepted)], WorkHours(start.AddDays((last - start).TotalDays / 2)), TimeSpan.FromHours(1));
        }

        /// <summary>Someone who rarely answers by mail: they call a short meeting a day or two after the owner writes.</summary>
        private void AnswersByMeeting(SamplePersona p)
        {
            var t = DaysAgo(Uniform(60, 110));
            for (int round = 0; t < DaysAgo(3); round++, t = t.AddDays(Uniform(10, 16)))
            {
                var asked = WorkHours(t);
                Outgoing(p, asked, Conversation(), isReply: false);
                if (round % 2 == 1) Incoming(p, asked.AddHours(Uniform(1, 5)), Conversation(), isReply: false);
                Meeting(p.Address, p.DisplayName, [Owner(AttendeeResponse.Accepted)], WorkHours(asked.AddDays(_rng.Next(1, 3))), TimeSpan.FromMinutes(30));
            }
        }

        /// <summary>A young rapport, prompt both ways, except that their first answer took more than a week.</summary>
        private void OneSlowReply(SamplePersona p)
        {
            var start = DaysAgo(Uniform(40, 70));
            Thread(p, WorkHours(start), ownerStarts: true, 2, mineHours: () => LogNormal(2), theirsHours: () => Uniform(200, 300), null, until: _end);
            Thread(p, WorkHours(start.AddDays(20)), ownerStarts: false, 4, mineHours: () => LogNormal(2), theirsHours: () => LogNormal(3), null, until: _end);
            Thread(p, WorkHours(DaysAgo(Uniform(2, 8))), ownerStarts: true, 3, mineHours: () => LogNormal(2), theirsHours: () => LogNormal(3), null, until: _end);
        }

        private void OneOff(SamplePersona p)
        {
            var t = WorkHours(DaysAgo(Uniform(1, 440))); // within the inbox's retention, or a one-off from them would be gone
            switch (_rng.Next(3))
            {
                case 0: Incoming(p, t, Conversation(), isReply: false); break;
                case 1: Outgoing(p, t, Conversation(), isReply: false); break;
                default: Thread(p, t, _rng.NextDouble() < 0.5, 2, () => LogNormal(5), () => LogNormal(5), null, until: _end); break;
            }
        }

        private void MetOnce(SamplePersona p)
        {
            int meetings = _rng.Next(1, 3);
            for (int i = 0; i < meetings; i++)
            {
                var others = Enumerable.Range(0, _rng.Next(5, 11)).Select(_ => _staff[1 + _rng.Next(_staff.Count - 1)]) // staff[0] organizes
                    .DistinctBy(s => s.Address).Select(s => new Attendee(s.Address, s.Name, AttendeeKind.Required, AttendeeResponse.Accepted));
                Meeting(_staff[0].Address, _staff[0].Name, [Person(p), Owner(AttendeeResponse.Accepted), .. others, Room()],
                    WorkHours(DaysAgo(Uniform(5, 600))), TimeSpan.FromHours(1));
            }
        }

        private void ColdInbound(SamplePersona p)
        {
            var t = DaysAgo(Uniform(10, 420)); // within the inbox's retention
            for (int i = _rng.Next(2, 7); i > 0 && t < _end; i--)
            {
                Incoming(p, WorkHours(t), Conversation(), isReply: false);
                t = t.AddDays(Uniform(5, 20));
            }
        }

        private void ColdOutbound(SamplePersona p)
        {
            var t = DaysAgo(Uniform(10, 600));
            for (int i = _rng.Next(1, 4); i > 0 && t < _end; i--)
            {
                Outgoing(p, WorkHours(t), Conversation(), isReply: false);
                t = t.AddDays(Uniform(7, 30));
            }
        }

        /// <summary>Threads both ways where every answer takes a week or more: slow often enough to count.</summary>
        private void SlowAcquaintance(SamplePersona p)
        {
            var t = DaysAgo(Uniform(250, 400));
            for (int i = _rng.Next(3, 5); i > 0 && t < _end; i--)
            {
                Thread(p, WorkHours(t), i % 2 == 0, 3, () => Uniform(5, 12) * 24, () => Uniform(5, 12) * 24, null, until: _end);
                t = t.AddDays(Uniform(30, 60));
            }
        }

        private void Newsletter(SamplePersona p)
        {
            for (var t = DaysAgo(Uniform(200, 720)); t < _end; t = t.AddDays(7 + _rng.Next(-1, 2)))
                Incoming(p, WorkHours(t), Conversation(), isReply: false, markers: AutomationMarkers.ListUnsubscribe | AutomationMarkers.ListId);
        }

        private void NoReply(SamplePersona p)
        {
            for (var t = DaysAgo(Uniform(100, 700)); t < _end; t = t.AddDays(Uniform(3, 40)))
                Incoming(p, WorkHours(t), Conversation(), isReply: false);
        }

        private void MassMail(SamplePersona p)
        {
            for (var t = DaysAgo(Uniform(300, 720)); t < _end; t = t.AddDays(Uniform(10, 30)))
            {
                if (_rng.NextDouble() < 0.5)
                {
                    // Through a distribution list: the owner is not addressed directly.
                    AddMessage(t, Direction.Incoming, p.Address, p.DisplayName,
                        [new(p.Address, p.DisplayName, RecipientRole.From), new("all-staff@contoso.example", "All staff", RecipientRole.To)],
                        recipientCount: 1, ownerRole: RecipientRole.Bcc, Conversation(), false, AutomationMarkers.None);
                }
                else
                {
                    var list = _staff.Take(_rng.Next(20, 60)).Select(s => new Counterpart(s.Address, s.Name, RecipientRole.To)).ToList();
                    AddMessage(WorkHours(t), Direction.Incoming, p.Address, p.DisplayName,
                        [new(p.Address, p.DisplayName, RecipientRole.From), .. list], list.Count + 1, RecipientRole.To, Conversation(), false, AutomationMarkers.None);
                }
            }
        }

        /// <summary>A weekly team meeting with a room: collaborators share it, each gets a quarter of it.</summary>
        private void TeamMeetings()
        {
            if (_collaborators.Count < 2) return;
            for (var t = DaysAgo(700); t < _end.AddDays(30); t = t.AddDays(7))
            {
                var team = _collaborators.OrderBy(_ => _rng.Next()).Take(4).Select(Person).ToList();
                Meeting(OwnerAddress, OwnerName, [.. team, Room()], WorkHours(t), TimeSpan.FromMinutes(45), recurring: true);
            }
        }

        // ---- building blocks ----

        private void Thread(SamplePersona p, DateTimeOffset t, bool ownerStarts, int messages, Func<double> mineHours, Func<double> theirsHours,
            SamplePersona? cc, DateTimeOffset until)
        {
            var conversation = Conversation();
            bool owner = ownerStarts;
            for (int i = 0; i < messages && t < _end && t <= until.AddDays(2); i++)
            {
                if (owner) Outgoing(p, t, conversation, i > 0, cc);
                else Incoming(p, t, conversation, i > 0, cc: cc);
                owner = !owner;
                t = t.AddHours(owner ? mineHours() : theirsHours());
            }
        }

        private void Outgoing(SamplePersona p, DateTimeOffset t, string conversation, bool isReply, SamplePersona? cc = null)
        {
            List<Counterpart> to = [new(p.Address, p.DisplayName, RecipientRole.To)];
            if (cc is not null && cc.Address != p.Address) to.Add(new(cc.Address, cc.DisplayName, RecipientRole.Cc));
            AddMessage(t, Direction.Outgoing, OwnerAddress, OwnerName, to, to.Count, RecipientRole.From, conversation, isReply, AutomationMarkers.None);
        }

        private void Incoming(SamplePersona p, DateTimeOffset t, string conversation, bool isReply, AutomationMarkers markers = AutomationMarkers.None, SamplePersona? cc = null)
        {
            List<Counterpart> people = [new(p.Address, p.DisplayName, RecipientRole.From)];
            if (cc is not null && cc.Address != p.Address) people.Add(new(cc.Address, cc.DisplayName, RecipientRole.Cc));
            AddMessage(t, Direction.Incoming, p.Address, p.DisplayName, people, people.Count, RecipientRole.To, conversation, isReply, markers);
        }

        private void AddMessage(DateTimeOffset t, Direction direction, string from, string? fromName, IReadOnlyList<Counterpart> counterparts,
            int recipientCount, RecipientRole ownerRole, string conversation, bool isReply, AutomationMarkers markers)
        {
            if (t >= _end) return;
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

        private void Meeting(string organizer, string? organizerName, IReadOnlyList<Attendee> attendees, DateTimeOffset start, TimeSpan length,
            bool recurring = false, bool cancelled = false, AttendeeResponse ownerResponse = AttendeeResponse.Accepted)
        {
            if (start > _end.AddDays(90)) return;
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

        private static Attendee Person(SamplePersona p) => new(p.Address, p.DisplayName, AttendeeKind.Required, AttendeeResponse.Accepted);
        private static Attendee Owner(AttendeeResponse response) => new(OwnerAddress, OwnerName, AttendeeKind.Required, response);
        private Attendee Room() => new($"room-{_rng.Next(1, 6)}@contoso.example", "Meeting room", AttendeeKind.Resource, AttendeeResponse.Accepted);

        private string Conversation() => $"s{options.Seed}.c{++_threadCounter}";

        private (string Address, string Name) NewPerson(string company)
        {
            while (true)
            {
                var first = FirstNames[_rng.Next(FirstNames.Length)];
                var last = LastNames[_rng.Next(LastNames.Length)];
                var local = $"{first}.{last}".ToLowerInvariant().Replace("á", "a").Replace("é", "e");
                var address = $"{local}@{company}.example";
                for (int i = 2; !_addresses.Add(address); i++) address = $"{local}{i}@{company}.example";
                return (address, $"{first} {last}");
            }
        }

        private (string Address, string Name) NewService(string[] localParts, string? company = null)
        {
            var local = localParts[_rng.Next(localParts.Length)];
            var domain = company ?? Companies[_rng.Next(Companies.Length)] + "-mail";
            var address = $"{local}@{domain}.example";
            for (int i = 2; !_addresses.Add(address); i++) address = $"{local}{i}@{domain}.example";
            var name = char.ToUpperInvariant(domain[0]) + domain[1..].Replace("-mail", "") + " " + local.Replace("-", " ");
            return (address, name);
        }

        private DateTimeOffset DaysAgo(double days) => _end.AddDays(-days);
        private double Uniform(double min, double max) => min + (max - min) * _rng.NextDouble();

        /// <summary>Reply latency in hours, log-normal around a median.</summary>
        private double LogNormal(double medianHours)
        {
            double u1 = 1 - _rng.NextDouble(), u2 = _rng.NextDouble();
            double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            return Math.Clamp(medianHours * Math.Exp(0.6 * z), 0.1, 60);
        }

        /// <summary>Moves an instant into working hours (08:00–18:00 UTC) on the same day.</summary>
        private DateTimeOffset WorkHours(DateTimeOffset t)
        {
            var day = new DateTimeOffset(t.UtcDateTime.Date, TimeSpan.Zero);
            return day.AddHours(8 + 10 * _rng.NextDouble());
        }
    }
}
