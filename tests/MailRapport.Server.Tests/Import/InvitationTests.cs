using MailRapport.Core;
using MailRapport.Server.Import;

namespace MailRapport.Server.Tests.Import;

public sealed class InvitationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    private static ImportPlan Plan(string path, params string[] owners)
    {
        var request = new ImportRequest { Path = path, Owners = owners, Now = Now };
        return ImportPlanner.Plan(MailImporter.Read(request), request);
    }

    private const string Invitation = """
        Message-ID: <30365153.1075853045068.JavaMail.evans@thyme>
        Date: Wed, 2 May 2001 16:02:00 -0700 (PDT)
        From: joannie.williamson@enron.com
        To: jeff.skilling@enron.com
        Subject: Leadership subcommittee
        X-From: Joannie Williamson

        	INVITATION

        Chairperson:	Sean Long

        Invitees:
        	Jeff Skilling
        	Joannie Williamson
        	Kenneth Lay
        	Nobody Known


        Date:		5/8/2001
        Time:		4:00 PM - 4:30 PM (Central Standard Time)

        Description:
        	Brief Meeting
        """;

    [Fact]
    public void Lotus_notes_invitation_becomes_a_meeting_and_stays_a_message()
    {
        using var dir = new TempFolder();
        dir.Write("skilling-j/inbox/1.", Invitation);
        dir.Write("skilling-j/inbox/2.", """
            Date: Wed, 2 May 2001 10:00:00 -0700 (PDT)
            From: sean.long@enron.com
            To: jeff.skilling@enron.com, kenneth.lay@enron.com
            Subject: hello

            """);
        var plan = Plan(Path.Combine(dir.Path, "skilling-j"), "jeff.skilling@enron.com");
        Assert.Equal(2, plan.Messages.Count);
        var meeting = Assert.Single(plan.Meetings);
        Assert.Equal("sean.long@enron.com", meeting.Organizer);
        Assert.Equal(new DateTimeOffset(2001, 5, 8, 21, 0, 0, TimeSpan.Zero), meeting.Start);
        Assert.Equal(0.5, meeting.Hours);
        Assert.Equal(["jeff.skilling@enron.com", "joannie.williamson@enron.com", "kenneth.lay@enron.com"], meeting.Attendees.Select(a => a.Address));
        Assert.Equal(1, plan.Report.InviteesUnresolved);
        Assert.Equal(1, plan.Report.MeetingsFromInvitations);
    }

    [Fact]
    public void Body_text_without_the_invitation_lines_is_not_a_meeting()
    {
        using var dir = new TempFolder();
        dir.Write("u/inbox/1.", """
            Date: Wed, 2 May 2001 10:00:00 -0700 (PDT)
            From: news@cera.com
            To: me@enron.com
            Subject: conference call

            SPEAKERS
            Chairperson: Lisa Pearl, CERA Associate
            TIME
            12:00 P.M. Eastern, Tuesday, June 19, 2001
            """);
        var plan = Plan(Path.Combine(dir.Path, "u"), "me@enron.com");
        Assert.Empty(plan.Meetings);
        Assert.Single(plan.Messages);
    }

    [Fact]
    public void Outlook_calendar_items_exported_as_mail_are_meetings_not_messages()
    {
        using var dir = new TempFolder();
        dir.Write("u/calendar/1.", """
            Message-ID: <25665208.1075840335725.JavaMail.evans@thyme>
            Date: Mon, 4 Feb 2002 11:59:47 -0800 (PST)
            From: lloyd.will@enron.com
            To: lloyd.will@enron.com, debra.bailey@enron.com,
            	don.baughman@enron.com
            Subject: Kevin Burns
            X-From: Will, Lloyd </O=ENRON/OU=NA/CN=RECIPIENTS/CN=LWILL>

            """);
        var plan = Plan(Path.Combine(dir.Path, "u"), "don.baughman@enron.com");
        Assert.Empty(plan.Messages);
        var meeting = Assert.Single(plan.Meetings);
        Assert.Equal("lloyd.will@enron.com", meeting.Organizer);
        Assert.Equal("Will, Lloyd", meeting.OrganizerDisplayName);
        Assert.Equal(["debra.bailey@enron.com", "don.baughman@enron.com"], meeting.Attendees.Select(a => a.Address));
        Assert.Equal(1, plan.Report.MeetingsFromCalendarItems);
    }

    [Fact]
    public void Ics_files_in_a_mail_folder_get_the_owner_response()
    {
        using var dir = new TempFolder();
        dir.Write("export/cal.ics", """
            BEGIN:VCALENDAR
            BEGIN:VEVENT
            UID:u1
            DTSTART:20010102T150000Z
            DTEND:20010102T160000Z
            ORGANIZER:mailto:boss@x.com
            ATTENDEE;PARTSTAT=DECLINED:mailto:me@x.com
            END:VEVENT
            BEGIN:VEVENT
            UID:u2
            DTSTART:20010103T150000Z
            DTEND:20010103T160000Z
            ORGANIZER:mailto:me@x.com
            ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@x.com
            END:VEVENT
            END:VCALENDAR
            """);
        var plan = Plan(Path.Combine(dir.Path, "export"), "me@x.com");
        var byKey = plan.Meetings.ToDictionary(m => m.Key);
        Assert.Equal(AttendeeResponse.Declined, byKey["ics:u1"].OwnerResponse);
        Assert.Equal(AttendeeResponse.Organizer, byKey["ics:u2"].OwnerResponse);
        Assert.Equal(2, plan.Report.MeetingsFromCalendars);
    }

    [Theory]
    [InlineData("Lay, Kenneth", "kenneth lay")]
    [InlineData("Kenneth L. Lay", "kenneth lay")]
    [InlineData("Drew Fossum/ET&S/Enron", "drew fossum")]
    [InlineData("Frank Bayouth@Enron", "frank bayouth")]
    public void Names_normalise_for_matching(string name, string key) => Assert.Equal(key, NameDirectory.Key(name));
}
