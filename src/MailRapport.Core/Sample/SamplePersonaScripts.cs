namespace MailRapport.Core.Sample;

/// <summary>
/// The sample's cast: correspondents drawn from personas, each meant to show one stage, and the mail and meetings
/// each persona's script writes (<see cref="SampleMailWriter"/>).
/// </summary>
internal sealed class SamplePersonaScripts(SampleOptions options, SampleMailWriter mail)
{
    private const string OwnerAddress = SampleMailboxGenerator.OwnerAddress;
    private const string OwnerName = SampleMailboxGenerator.OwnerName;

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

    private readonly SampleAddressBook _book = new(mail.Rng);
    private readonly List<(string Address, string Name)> _staff = [];
    private readonly List<SamplePersona> _collaborators = [];

    public List<SamplePersona> Personas { get; } = [];

    public void Run()
    {
        for (int i = 0; i < 60; i++) _staff.Add(_book.NewPerson("contoso"));
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
            "newsletter" => _book.NewService(["hello", "team", "insights", "community", "events"]),
            "no-reply" => _book.NewService(["no-reply", "noreply", "notifications", "donotreply", "alerts"]),
            "mass-mail" => _book.NewService(["ceo-office", "communications", "hr-announce", "it-service"], "contoso"),
            _ => _book.NewPerson(SampleAddressBook.Companies[mail.Rng.Next(SampleAddressBook.Companies.Length)]),
        };
        var persona = new SamplePersona(address, name, kind.Name, kind.Stage, kind.Nurture, kind.Automated);
        switch (kind.Name)
        {
            case "collaborator":
                Relationship(persona, lastDaysAgo: mail.Uniform(0, 6), spanDays: mail.Uniform(420, 700), meanGapDays: 6);
                _collaborators.Add(persona);
                break;
            case "monthly-relationship":
                // A slower rhythm: a month of silence is normal for this tie and must not read as Cooling.
                Relationship(persona, lastDaysAgo: mail.Uniform(30, 45), spanDays: mail.Uniform(500, 700), meanGapDays: 30, meetingEveryDays: 90);
                break;
            case "cooling-relationship":
                Relationship(persona, lastDaysAgo: mail.Uniform(45, 75), spanDays: mail.Uniform(300, 500), meanGapDays: 5);
                break;
            case "dormant-relationship":
                Relationship(persona, lastDaysAgo: mail.Uniform(130, 300), spanDays: mail.Uniform(250, 420), meanGapDays: 6);
                break;
            case "new-rapport":
                Rapport(persona, startDaysAgo: mail.Uniform(12, 45), lastDaysAgo: mail.Uniform(0, 7), threads: mail.Rng.Next(2, 5), meetingChance: 0.3);
                break;
            case "growing-rapport":
                Rapport(persona, startDaysAgo: mail.Uniform(60, 140), lastDaysAgo: mail.Uniform(0, 10), threads: mail.Rng.Next(4, 8), meetingChance: 0.6);
                break;
            case "faded-rapport":
                var fadedEnd = mail.Uniform(200, 400);
                Rapport(persona, startDaysAgo: fadedEnd + mail.Uniform(20, 40), lastDaysAgo: fadedEnd, threads: 3, meetingChance: 0);
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
        var last = mail.DaysAgo(lastDaysAgo);
        var start = last.AddDays(-spanDays);
        var t = start;
        bool ownerStarts = mail.Rng.NextDouble() < 0.5;
        while (t <= last)
        {
            if (t > last.AddDays(-meanGapDays * 0.6)) t = last; // the tie's last exchange falls on its last day
            var cc = _collaborators.Count > 0 && mail.Rng.NextDouble() < 0.15 ? _collaborators[mail.Rng.Next(_collaborators.Count)] : null;
            mail.Thread(p, mail.WorkHours(t), ownerStarts, mail.Rng.Next(2, 6), mineHours: () => mail.LogNormal(3), theirsHours: () => mail.LogNormal(4), cc, until: last);
            ownerStarts = !ownerStarts;
            if (t == last) break;
            t = t.AddDays(meanGapDays * (0.6 + 0.8 * mail.Rng.NextDouble()));
        }
        // Recurring 1:1s (a few cancelled or declined, which must not count), and one scheduled after the end.
        for (var m = start.AddDays(20); m < last.AddDays(meetingEveryDays == 14 ? 60 : 0); m = m.AddDays(meetingEveryDays))
        {
            if (m > last && m < mail.End) continue; // silence means no meetings either
            var when = mail.WorkHours(m);
            double roll = mail.Rng.NextDouble();
            if (roll is >= 0.05 and < 0.1) // their invitation, which the owner declined: not a shared experience
                mail.Meeting(p.Address, p.DisplayName, [SampleMailWriter.Owner(AttendeeResponse.Declined)], when, TimeSpan.FromMinutes(30), recurring: true,
                    ownerResponse: AttendeeResponse.Declined);
            else
                mail.Meeting(OwnerAddress, OwnerName, [SampleMailWriter.Person(p)], when, TimeSpan.FromMinutes(30), recurring: true, cancelled: roll < 0.05);
        }
    }

    private void Rapport(SamplePersona p, double startDaysAgo, double lastDaysAgo, int threads, double meetingChance)
    {
        var start = mail.DaysAgo(startDaysAgo);
        var last = mail.DaysAgo(lastDaysAgo);
        double step = (last - start).TotalDays / Math.Max(1, threads - 1);
        for (int i = 0; i < threads; i++)
        {
            var t = i == threads - 1 ? last.AddHours(-12) : start.AddDays(step * i);
            mail.Thread(p, mail.WorkHours(t), ownerStarts: i % 2 == 0, mail.Rng.Next(3, 6), mineHours: () => mail.LogNormal(2), theirsHours: () => mail.LogNormal(2.5), null, until: last);
        }
        if (mail.Rng.NextDouble() < meetingChance)
            mail.Meeting(p.Address, p.DisplayName, [SampleMailWriter.Owner(AttendeeResponse.Accepted)], mail.WorkHours(start.AddDays((last - start).TotalDays / 2)), TimeSpan.FromHours(1));
    }

    /// <summary>Someone who rarely answers by mail: they call a short meeting a day or two after the owner writes.</summary>
    private void AnswersByMeeting(SamplePersona p)
    {
        var t = mail.DaysAgo(mail.Uniform(60, 110));
        for (int round = 0; t < mail.DaysAgo(3); round++, t = t.AddDays(mail.Uniform(10, 16)))
        {
            var asked = mail.WorkHours(t);
            mail.Outgoing(p, asked, mail.Conversation(), isReply: false);
            if (round % 2 == 1) mail.Incoming(p, asked.AddHours(mail.Uniform(1, 5)), mail.Conversation(), isReply: false);
            mail.Meeting(p.Address, p.DisplayName, [SampleMailWriter.Owner(AttendeeResponse.Accepted)], mail.WorkHours(asked.AddDays(mail.Rng.Next(1, 3))), TimeSpan.FromMinutes(30));
        }
    }

    /// <summary>A young rapport, prompt both ways, except that their first answer took more than a week.</summary>
    private void OneSlowReply(SamplePersona p)
    {
        var start = mail.DaysAgo(mail.Uniform(40, 70));
        mail.Thread(p, mail.WorkHours(start), ownerStarts: true, 2, mineHours: () => mail.LogNormal(2), theirsHours: () => mail.Uniform(200, 300), null, until: mail.End);
        mail.Thread(p, mail.WorkHours(start.AddDays(20)), ownerStarts: false, 4, mineHours: () => mail.LogNormal(2), theirsHours: () => mail.LogNormal(3), null, until: mail.End);
        mail.Thread(p, mail.WorkHours(mail.DaysAgo(mail.Uniform(2, 8))), ownerStarts: true, 3, mineHours: () => mail.LogNormal(2), theirsHours: () => mail.LogNormal(3), null, until: mail.End);
    }

    private void OneOff(SamplePersona p)
    {
        var t = mail.WorkHours(mail.DaysAgo(mail.Uniform(1, 440))); // within the inbox's retention, or a one-off from them would be gone
        switch (mail.Rng.Next(3))
        {
            case 0: mail.Incoming(p, t, mail.Conversation(), isReply: false); break;
            case 1: mail.Outgoing(p, t, mail.Conversation(), isReply: false); break;
            default: mail.Thread(p, t, mail.Rng.NextDouble() < 0.5, 2, () => mail.LogNormal(5), () => mail.LogNormal(5), null, until: mail.End); break;
        }
    }

    private void MetOnce(SamplePersona p)
    {
        int meetings = mail.Rng.Next(1, 3);
        for (int i = 0; i < meetings; i++)
        {
            var others = Enumerable.Range(0, mail.Rng.Next(5, 11)).Select(_ => _staff[1 + mail.Rng.Next(_staff.Count - 1)]) // staff[0] organizes
                .DistinctBy(s => s.Address).Select(s => new Attendee(s.Address, s.Name, AttendeeKind.Required, AttendeeResponse.Accepted));
            mail.Meeting(_staff[0].Address, _staff[0].Name, [SampleMailWriter.Person(p), SampleMailWriter.Owner(AttendeeResponse.Accepted), .. others, mail.Room()],
                mail.WorkHours(mail.DaysAgo(mail.Uniform(5, 600))), TimeSpan.FromHours(1));
        }
    }

    private void ColdInbound(SamplePersona p)
    {
        var t = mail.DaysAgo(mail.Uniform(10, 420)); // within the inbox's retention
        for (int i = mail.Rng.Next(2, 7); i > 0 && t < mail.End; i--)
        {
            mail.Incoming(p, mail.WorkHours(t), mail.Conversation(), isReply: false);
            t = t.AddDays(mail.Uniform(5, 20));
        }
    }

    private void ColdOutbound(SamplePersona p)
    {
        var t = mail.DaysAgo(mail.Uniform(10, 600));
        for (int i = mail.Rng.Next(1, 4); i > 0 && t < mail.End; i--)
        {
            mail.Outgoing(p, mail.WorkHours(t), mail.Conversation(), isReply: false);
            t = t.AddDays(mail.Uniform(7, 30));
        }
    }

    /// <summary>Threads both ways where every answer takes a week or more: slow often enough to count.</summary>
    private void SlowAcquaintance(SamplePersona p)
    {
        var t = mail.DaysAgo(mail.Uniform(250, 400));
        for (int i = mail.Rng.Next(3, 5); i > 0 && t < mail.End; i--)
        {
            mail.Thread(p, mail.WorkHours(t), i % 2 == 0, 3, () => mail.Uniform(5, 12) * 24, () => mail.Uniform(5, 12) * 24, null, until: mail.End);
            t = t.AddDays(mail.Uniform(30, 60));
        }
    }

    private void Newsletter(SamplePersona p)
    {
        for (var t = mail.DaysAgo(mail.Uniform(200, 720)); t < mail.End; t = t.AddDays(7 + mail.Rng.Next(-1, 2)))
            mail.Incoming(p, mail.WorkHours(t), mail.Conversation(), isReply: false, markers: AutomationMarkers.ListUnsubscribe | AutomationMarkers.ListId);
    }

    private void NoReply(SamplePersona p)
    {
        for (var t = mail.DaysAgo(mail.Uniform(100, 700)); t < mail.End; t = t.AddDays(mail.Uniform(3, 40)))
            mail.Incoming(p, mail.WorkHours(t), mail.Conversation(), isReply: false);
    }

    private void MassMail(SamplePersona p)
    {
        for (var t = mail.DaysAgo(mail.Uniform(300, 720)); t < mail.End; t = t.AddDays(mail.Uniform(10, 30)))
        {
            if (mail.Rng.NextDouble() < 0.5)
            {
                // Through a distribution list: the owner is not addressed directly.
                mail.AddMessage(t, Direction.Incoming, p.Address, p.DisplayName,
                    [new(p.Address, p.DisplayName, RecipientRole.From), new("all-staff@contoso.example", "All staff", RecipientRole.To)],
                    recipientCount: 1, ownerRole: RecipientRole.Bcc, mail.Conversation(), false, AutomationMarkers.None);
            }
            else
            {
                var list = _staff.Take(mail.Rng.Next(20, 60)).Select(s => new Counterpart(s.Address, s.Name, RecipientRole.To)).ToList();
                mail.AddMessage(mail.WorkHours(t), Direction.Incoming, p.Address, p.DisplayName,
                    [new(p.Address, p.DisplayName, RecipientRole.From), .. list], list.Count + 1, RecipientRole.To, mail.Conversation(), false, AutomationMarkers.None);
            }
        }
    }

    /// <summary>A weekly team meeting with a room: collaborators share it, each gets a quarter of it.</summary>
    private void TeamMeetings()
    {
        if (_collaborators.Count < 2) return;
        for (var t = mail.DaysAgo(700); t < mail.End.AddDays(30); t = t.AddDays(7))
        {
            var team = _collaborators.OrderBy(_ => mail.Rng.Next()).Take(4).Select(SampleMailWriter.Person).ToList();
            mail.Meeting(OwnerAddress, OwnerName, [.. team, mail.Room()], mail.WorkHours(t), TimeSpan.FromMinutes(45), recurring: true);
        }
    }
}
