using MailRapport.Core;
using MailRapport.Server.Import;
using MailRapport.Server.Scanning;

namespace MailRapport.Server.Tests.Import;

/// <summary>
/// Names and addresses are neutralised where they enter, from a mail file and from Graph alike (issue 9.6): a NUL,
/// a right-to-left override (U+202E) and a 150 KB name never reach the store as sent.
/// </summary>
public sealed class HostileNameTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private static readonly string HugeName = new('A', 150 * 1024);

    private static void AssertNeutral(string? name)
    {
        Assert.NotNull(name);
        Assert.True(name.Length <= DisplayText.MaxNameLength, $"name of {name.Length} chars");
        Assert.DoesNotContain(name, c => char.IsControl(c) || c is '\u202E' or '\u202D' or '\u2066' or '\u2067' or '\u2068' or '\u2069' or '\u200F');
    }

    [Fact]
    public void Import_neutralises_nul_bidi_override_and_a_150_kb_name()
    {
        using var dir = new TempFolder();
        dir.Write("box/inbox/1.", $"""
            Date: Mon, 4 Dec 2000 09:00:00 -0800
            From: =?UTF-8?Q?Jane=00Doe?= <jane@corp.com>
            To: me@corp.com, =?UTF-8?Q?Ann_=E2=80=AEcod.exe?= <ann@corp.com>, "{HugeName}" <big@corp.com>, "Nul in address" <bad=?UTF-8?Q?=00?=x@corp.com>
            Subject: hello

            x
            """);
        var request = new ImportRequest { Path = Path.Combine(dir.Path, "box"), Owners = ["me@corp.com"], Now = Now };
        var plan = ImportPlanner.Plan(MailImporter.Read(request), request);

        var m = Assert.Single(plan.Messages);
        Assert.Equal("Jane Doe", m.FromDisplayName);
        Assert.Equal("Ann cod.exe", m.Counterparts.Single(c => c.Address == "ann@corp.com").DisplayName);
        var big = m.Counterparts.Single(c => c.Address == "big@corp.com").DisplayName;
        Assert.Equal(new string('A', DisplayText.MaxNameLength), big);
        foreach (var c in m.Counterparts) AssertNeutral(c.DisplayName);
        Assert.All(m.Counterparts, c => Assert.DoesNotContain('\0', c.Address));
    }

    [Fact]
    public void Import_neutralises_names_and_refuses_hostile_addresses_in_calendars()
    {
        using var dir = new TempFolder();
        dir.Write("cal.ics", $"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:h1\nDTSTART:20001206T150000Z\nDTEND:20001206T160000Z\n" +
            $"ORGANIZER;CN=\"Boss\u202Efdp.exe\":mailto:boss@corp.com\nATTENDEE;CN=\"{HugeName}\":mailto:big@corp.com\n" +
            $"ATTENDEE;CN=Tab\tName:mailto:tab@corp.com\nATTENDEE:mailto:{new string('x', 400)}@corp.com\nEND:VEVENT\nEND:VCALENDAR\n");
        var request = new ImportRequest { Path = Path.Combine(dir.Path, "cal.ics"), Owners = ["me@corp.com"], Now = Now };
        var plan = ImportPlanner.Plan(MailImporter.Read(request), request);

        var meeting = Assert.Single(plan.Meetings);
        Assert.Equal("Bossfdp.exe", meeting.OrganizerDisplayName);
        Assert.Equal(["big@corp.com", "tab@corp.com"], meeting.Attendees.Select(a => a.Address).Order());
        Assert.Equal("Tab Name", meeting.Attendees.Single(a => a.Address == "tab@corp.com").DisplayName);
        foreach (var a in meeting.Attendees) AssertNeutral(a.DisplayName);
    }

    private static GraphRecipient R(string address, string? name) => new() { EmailAddress = new GraphEmailAddress { Address = address, Name = name } };

    [Fact]
    public void Graph_mapper_neutralises_nul_bidi_override_and_a_150_kb_name()
    {
        var mapper = new GraphInteractionMapper(["me@corp.example"]);
        var message = new GraphMessage
        {
            Id = "AAMk1",
            InternetMessageId = "<hostile@mail.example>",
            From = R("jane@other.example", "Jane\0Doe"),
            ToRecipients = [R("me@corp.example", "Me"), R("ann@other.example", "Ann \u202Ecod.exe"), R("big@other.example", HugeName), R("bad\0x@other.example", "Nul")],
            SentDateTime = new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero),
        };
        var m = mapper.Map(message)!;
        Assert.Equal("Jane Doe", m.FromDisplayName);
        Assert.Equal("Ann cod.exe", m.Counterparts.Single(c => c.Address == "ann@other.example").DisplayName);
        Assert.Equal(DisplayText.MaxNameLength, m.Counterparts.Single(c => c.Address == "big@other.example").DisplayName!.Length);
        Assert.Equal(["jane@other.example", "ann@other.example", "big@other.example"], m.Counterparts.Select(c => c.Address));
        foreach (var c in m.Counterparts) AssertNeutral(c.DisplayName);

        var e = new GraphEvent
        {
            Id = "evt1",
            Organizer = R("boss@other.example", "Boss\u2067\u202Efdp.exe"),
            Attendees = [new() { EmailAddress = new() { Address = "big@other.example", Name = HugeName } }],
            Start = new GraphDateTimeZone { DateTime = "2025-05-01T09:00:00", TimeZone = "UTC" },
            End = new GraphDateTimeZone { DateTime = "2025-05-01T10:00:00", TimeZone = "UTC" },
        };
        var meeting = mapper.Map(e)!;
        Assert.Equal("Bossfdp.exe", meeting.OrganizerDisplayName);
        AssertNeutral(Assert.Single(meeting.Attendees).DisplayName);
    }
}
