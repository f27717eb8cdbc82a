using MailRapport.Core;
using MailRapport.Server.Import;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Import;

public sealed class CalendarTests
{
    private static readonly DateTimeOffset WindowStart = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset WindowEnd = new(2002, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<MeetingInteraction> Read(string events, DateTimeOffset? end = null, DateTimeOffset? start = null) =>
        ICalendarReader.Read("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + events.ReplaceLineEndings("\r\n") + "\r\nEND:VCALENDAR\r\n",
            start ?? WindowStart, end ?? WindowEnd).Meetings;

    private static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Fact]
    public void Single_event_with_tzid_attendees_and_responses()
    {
        var m = Read("""
            BEGIN:VEVENT
            UID:abc-1
            DTSTART;TZID=America/Chicago:20010508T160000
            DTEND;TZID="Central Standard Time":20010508T163000
            ORGANIZER;CN="Long, Sean":mailto:Sean.Long@corp.com
            ATTENDEE;CN=Jeff;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:jeff@corp.com
            ATTENDEE;PARTSTAT=DECLINED;ROLE=OPT-PARTICIPANT:mailto:ken@corp.com
            ATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED:mailto:room-4c@corp.com
            ATTENDEE;PARTSTAT=NEEDS-ACTION;CN="Very long name that is fol
             ded":mailto:rosa@corp.com
            ATTENDEE:mailto:sean.long@corp.com
            BEGIN:VALARM
            TRIGGER:-PT15M
            DESCRIPTION:ignored
            END:VALARM
            END:VEVENT
            """).Single();
        Assert.Equal("ics:abc-1", m.Key);
        Assert.Equal("sean.long@corp.com", m.Organizer);
        Assert.Equal("Long, Sean", m.OrganizerDisplayName);
        Assert.Equal(new DateTimeOffset(2001, 5, 8, 21, 0, 0, TimeSpan.Zero), m.Start); // CDT = UTC-5
        Assert.Equal(0.5, m.Hours);
        Assert.Equal(
            [
                new Attendee("jeff@corp.com", "Jeff", AttendeeKind.Required, AttendeeResponse.Accepted),
                new Attendee("ken@corp.com", null, AttendeeKind.Optional, AttendeeResponse.Declined),
                new Attendee("room-4c@corp.com", null, AttendeeKind.Resource, AttendeeResponse.Accepted),
                new Attendee("rosa@corp.com", "Very long name that is folded", AttendeeKind.Required, AttendeeResponse.NotResponded),
            ], m.Attendees);
        Assert.False(m.IsCancelled);
        Assert.False(m.IsRecurring);
    }

    [Fact]
    public void Utc_all_day_duration_and_cancelled()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:utc
            DTSTART:20010102T150000Z
            DURATION:PT1H30M
            ORGANIZER:mailto:a@x.com
            STATUS:CANCELLED
            END:VEVENT
            BEGIN:VEVENT
            UID:allday
            DTSTART;VALUE=DATE:20010103
            DTEND;VALUE=DATE:20010105
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """).ToDictionary(m => m.Key);
        Assert.Equal(new DateTimeOffset(2001, 1, 2, 15, 0, 0, TimeSpan.Zero), meetings["ics:utc"].Start);
        Assert.Equal(1.5, meetings["ics:utc"].Hours);
        Assert.True(meetings["ics:utc"].IsCancelled);
        Assert.Equal(new DateTimeOffset(2001, 1, 3, 0, 0, 0, TimeSpan.Zero), meetings["ics:allday"].Start);
        Assert.Equal(48, meetings["ics:allday"].Hours);
    }

    [Fact]
    public void Weekly_byday_count_keeps_local_time_across_dst()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:weekly
            DTSTART;TZID=America/New_York:20010326T090000
            DTEND;TZID=America/New_York:20010326T100000
            RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """);
        Assert.Equal(
            [
                new DateTimeOffset(2001, 3, 26, 14, 0, 0, TimeSpan.Zero), // EST
                new DateTimeOffset(2001, 3, 28, 14, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2001, 4, 2, 13, 0, 0, TimeSpan.Zero), // EDT from 2001-04-01
                new DateTimeOffset(2001, 4, 4, 13, 0, 0, TimeSpan.Zero),
            ], meetings.Select(m => m.Start));
        Assert.All(meetings, m => Assert.True(m.IsRecurring));
        Assert.Equal(4, meetings.Select(m => m.Key).Distinct().Count());
    }

    [Theory]
    [InlineData("(UTC-06:00) Central Time (US & Canada)")]
    [InlineData("/mozilla.org/20050126_1/America/Chicago")]
    [InlineData("Central Standard Time")]
    [InlineData("America/Chicago")]
    [InlineData("US/Central")]
    [InlineData("Central Time (US & Canada)")]
    [InlineData("Central")]
    public void Zone_names_from_outlook_mozilla_and_iana(string tzid)
    {
        var m = Read($"BEGIN:VEVENT\nUID:z\nDTSTART;TZID=\"{tzid}\":20010115T090000\nDTEND;TZID=\"{tzid}\":20010115T100000\nORGANIZER:mailto:a@x.com\nEND:VEVENT").Single();
        Assert.Equal(new DateTimeOffset(2001, 1, 15, 15, 0, 0, TimeSpan.Zero), m.Start);
    }

    [Fact]
    public void Weekly_interval_two_with_until()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:biweekly
            DTSTART:20010102T100000Z
            DTEND:20010102T110000Z
            RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20010201T100000Z
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """);
        Assert.Equal(["01-02", "01-04", "01-16", "01-18", "01-30", "02-01"], meetings.Select(m => m.Start.ToString("MM-dd")));
    }

    [Fact]
    public void Daily_interval_until_with_exdate()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:daily
            DTSTART:20010101T100000Z
            DTEND:20010101T103000Z
            RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20010109T100000Z
            EXDATE:20010105T100000Z,20010107T100000Z
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """);
        Assert.Equal([1, 3, 9], meetings.Select(m => m.Start.Day));
    }

    [Fact]
    public void Monthly_by_month_day_by_ordinal_weekday_and_overrides()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:monthly
            DTSTART:20010131T100000Z
            DTEND:20010131T110000Z
            RRULE:FREQ=MONTHLY;COUNT=3
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            BEGIN:VEVENT
            UID:second-tuesday
            DTSTART:20010109T170000Z
            DTEND:20010109T180000Z
            RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;UNTIL=20010401
            ORGANIZER:mailto:a@x.com
            ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@x.com
            END:VEVENT
            BEGIN:VEVENT
            UID:second-tuesday
            RECURRENCE-ID:20010213T170000Z
            DTSTART:20010214T170000Z
            DTEND:20010214T190000Z
            ORGANIZER:mailto:a@x.com
            STATUS:CANCELLED
            END:VEVENT
            """);
        var monthly = meetings.Where(m => m.Key.StartsWith("ics:monthly/")).Select(m => m.Start.ToString("yyyy-MM-dd")).ToList();
        Assert.Equal(["2001-01-31", "2001-03-31", "2001-05-31"], monthly); // months without a 31st are skipped (RFC 5545)
        var tuesdays = meetings.Where(m => m.Key.StartsWith("ics:second-tuesday/")).OrderBy(m => m.Start).ToList();
        Assert.Equal(["2001-01-09", "2001-02-14", "2001-03-13"], tuesdays.Select(m => m.Start.ToString("yyyy-MM-dd")));
        Assert.True(tuesdays[1].IsCancelled);
        Assert.Equal(2, tuesdays[1].Hours);
        Assert.Equal("ics:second-tuesday/20010213T170000Z", tuesdays[1].Key); // keyed by the original occurrence
    }

    [Fact]
    public void Endless_series_stop_at_the_window_end_and_early_ones_are_cut()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:forever
            DTSTART:19990104T100000Z
            DTEND:19990104T110000Z
            RRULE:FREQ=WEEKLY
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """, end: new DateTimeOffset(2000, 2, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(5, meetings.Count); // Mondays of January 2000 (window start 2000-01-01)
        Assert.All(meetings, m => Assert.Equal(DayOfWeek.Monday, m.Start.DayOfWeek));
    }

    [Fact]
    public void Broken_events_are_counted_not_fatal()
    {
        var result = ICalendarReader.Read("""
            BEGIN:VCALENDAR
            BEGIN:VEVENT
            UID:nostart
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            BEGIN:VEVENT
            UID:badstart
            DTSTART:yesterday
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            BEGIN:VEVENT
            UID:noorganizer
            DTSTART:20010101T100000Z
            END:VEVENT
            garbage line without colon
            BEGIN:VEVENT
            UID:good
            DTSTART:20010101T100000Z
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """, WindowStart, WindowEnd);
        Assert.Equal(3, result.MalformedEvents);
        Assert.Equal(new Dictionary<string, int> { [ICalendarReader.Reasons.NoStart] = 2, [ICalendarReader.Reasons.NoOrganizer] = 1 }, result.Skipped);
        Assert.Single(result.Meetings);
    }

    // ---- issue 9.4: endless or absurd series are skipped and counted, with the reason ----

    [Fact]
    public void Endless_sub_daily_and_year_0001_series_are_counted_with_their_reason()
    {
        var result = ICalendarReader.Read("""
            BEGIN:VCALENDAR
            BEGIN:VEVENT
            UID:secondly
            DTSTART:20010101T100000Z
            ORGANIZER:mailto:a@x.com
            RRULE:FREQ=SECONDLY
            END:VEVENT
            BEGIN:VEVENT
            UID:minutely
            DTSTART:20010101T100000Z
            ORGANIZER:mailto:a@x.com
            RRULE:FREQ=MINUTELY;COUNT=999999999
            END:VEVENT
            BEGIN:VEVENT
            UID:daily-0001
            DTSTART:00010101T100000Z
            ORGANIZER:mailto:a@x.com
            RRULE:FREQ=DAILY
            END:VEVENT
            BEGIN:VEVENT
            UID:daily-forever
            DTSTART:20000101T100000Z
            ORGANIZER:mailto:a@x.com
            RRULE:FREQ=DAILY
            END:VEVENT
            BEGIN:VEVENT
            UID:never
            DTSTART:20010101T100000Z
            ORGANIZER:mailto:a@x.com
            RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30
            END:VEVENT
            BEGIN:VEVENT
            UID:good
            DTSTART:20010101T100000Z
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            END:VCALENDAR
            """, WindowStart, new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(2, result.Skipped[ICalendarReader.Reasons.SubDaily]);
        Assert.Equal(1, result.Skipped[ICalendarReader.Reasons.Placeholder]);
        Assert.Equal(1, result.Skipped[ICalendarReader.Reasons.SeriesCut]);
        Assert.Equal(1, result.Skipped.Where(s => s.Key is ICalendarReader.Reasons.NeverMatches or ICalendarReader.Reasons.OutsideWindow).Sum(s => s.Value));
        Assert.Equal(5, result.MalformedEvents);
        Assert.Equal(ICalendarReader.MaxOccurrencesPerSeries, result.Meetings.Count(m => m.Key.StartsWith("ics:daily-forever/")));
        Assert.Single(result.Meetings, m => m.Key == "ics:good");
    }

    [Fact]
    public async Task The_import_report_counts_every_skipped_calendar_event_by_reason()
    {
        using var dir = new TempFolder();
        dir.Write("cal.ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:s\nDTSTART:20010101T100000Z\nORGANIZER:mailto:a@x.com\nRRULE:FREQ=SECONDLY\nEND:VEVENT\n" +
            "BEGIN:VEVENT\nUID:d\nDTSTART:00010101T100000Z\nORGANIZER:mailto:a@x.com\nRRULE:FREQ=DAILY\nEND:VEVENT\n" +
            "BEGIN:VEVENT\nUID:huge\nDTSTART:20010101T100000Z\nORGANIZER:mailto:a@x.com\nDESCRIPTION:" + new string('x', ICalendarReader.MaxLineChars + 10) + "\nEND:VEVENT\n" +
            "BEGIN:VEVENT\nUID:ok\nDTSTART:20010101T100000Z\nORGANIZER:mailto:a@x.com\nATTENDEE:mailto:me@x.com\nEND:VEVENT\nEND:VCALENDAR\n");
        await using var store = MailRapport.Server.Storage.MailStore.OpenSqlite(Path.Combine(dir.Path, "s.db"));
        var report = await new MailImporter(store).ImportAsync(new ImportRequest { Path = Path.Combine(dir.Path, "cal.ics"), Owners = ["me@x.com"], MailboxId = "m", Now = WindowEnd });
        Assert.Equal(1, report.MeetingsFromCalendars);
        Assert.Equal(3, report.CalendarEventsMalformed);
        Assert.Equal(
            new Dictionary<string, int> { [ICalendarReader.Reasons.Placeholder] = 1, [ICalendarReader.Reasons.SubDaily] = 1, [ICalendarReader.Reasons.TooLarge] = 1 },
            report.CalendarEventsSkipped);
        Assert.Equal((0L, 1L), await store.CountInteractionsAsync("m"));
    }

    [Fact]
    public void An_exception_before_its_series_still_replaces_the_occurrence()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID:20010110T100000Z
            DTSTART:20010111T150000Z
            DTEND:20010111T160000Z
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            BEGIN:VEVENT
            UID:s
            DTSTART:20010103T100000Z
            DTEND:20010103T110000Z
            RRULE:FREQ=WEEKLY;COUNT=3
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """);
        Assert.Equal([Utc(2001, 1, 3, 10), Utc(2001, 1, 11, 15), Utc(2001, 1, 17, 10)], meetings.Select(m => m.Start).Order());
        Assert.Equal(3, meetings.Select(m => m.Key).Distinct().Count());
    }

    // ---- issue 11.6: what the hand-written expansion got wrong, now on Ical.Net ----

    [Fact]
    public void Bysetpos_minus_one_is_the_last_weekday_of_the_month()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:last-weekday
            DTSTART:20010430T160000Z
            DTEND:20010430T170000Z
            RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """);
        Assert.Equal(["2001-04-30", "2001-05-31", "2001-06-29"], meetings.Select(m => m.Start.ToString("yyyy-MM-dd")));
    }

    [Fact]
    public void Yearly_second_sunday_of_march()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:dst-party
            DTSTART:20000312T180000Z
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU;COUNT=2
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """);
        Assert.Equal([Utc(2000, 3, 12, 18), Utc(2001, 3, 11, 18)], meetings.Select(m => m.Start));
    }

    [Fact]
    public void Rfc_5545_weekly_wkst_sunday_example()
    {
        // RFC 5545 §3.8.5.3: "changing only WKST from MO to SU yields different results": Aug 5, 17, 19, 31 1997.
        var meetings = Read("""
            BEGIN:VEVENT
            UID:wkst
            DTSTART;TZID=America/New_York:19970805T090000
            RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """, start: Utc(1997, 1, 1));
        Assert.Equal([5, 17, 19, 31], meetings.Select(m => m.Start.Day));
        Assert.All(meetings, m => Assert.Equal(13, m.Start.Hour)); // 09:00 EDT
    }

    [Fact]
    public void Rdate_adds_occurrences()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:rdate
            DTSTART:20010101T100000Z
            DTEND:20010101T110000Z
            RDATE:20010115T100000Z,20010201T100000Z
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """);
        Assert.Equal([Utc(2001, 1, 1, 10), Utc(2001, 1, 15, 10), Utc(2001, 2, 1, 10)], meetings.Select(m => m.Start).Order());
        Assert.All(meetings, m => Assert.True(m.IsRecurring));
    }

    [Fact]
    public void Daily_with_bymonth_stays_in_that_month()
    {
        var meetings = Read("""
            BEGIN:VEVENT
            UID:january
            DTSTART:20000130T100000Z
            RRULE:FREQ=DAILY;BYMONTH=1;COUNT=4
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """);
        Assert.Equal([Utc(2000, 1, 30, 10), Utc(2000, 1, 31, 10), Utc(2001, 1, 1, 10), Utc(2001, 1, 2, 10)], meetings.Select(m => m.Start));
    }

    [Fact]
    public void The_ambiguous_0130_at_a_fall_back_transition_is_the_first_one()
    {
        // RFC 5545 §3.3.5: a local time that occurs twice means its first occurrence (still daylight time, UTC-4).
        var m = Read("""
            BEGIN:VEVENT
            UID:fallback
            DTSTART;TZID=America/New_York:20011028T013000
            DTEND;TZID=America/New_York:20011028T014500
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            """).Single();
        Assert.Equal(Utc(2001, 10, 28, 5, 30), m.Start);
    }

    [Theory]
    [InlineData("SE Asia Standard Time", 2)]          // Windows id missing from the old hand-written table (UTC+7)
    [InlineData("W. Australia Standard Time", 1)]     // UTC+8
    public void Windows_and_display_zone_names_resolve_through_timezoneconverter(string tzid, int utcHour)
    {
        var m = Read($"BEGIN:VEVENT\nUID:z\nDTSTART;TZID=\"{tzid}\":20010115T090000\nORGANIZER:mailto:a@x.com\nEND:VEVENT").Single();
        Assert.Equal(Utc(2001, 1, 15, utcHour), m.Start);
        // The same rule serves Graph's dateTimeTimeZone.
        Assert.Equal(Utc(2001, 1, 15, utcHour), MailRapport.Server.Scanning.GraphInteractionMapper.ToUtc("2001-01-15T09:00:00.0000000", tzid));
    }

    [Fact]
    public void Outlook_customized_time_zone_keeps_the_event_at_the_files_own_offset()
    {
        var result = ICalendarReader.Read("""
            BEGIN:VCALENDAR
            BEGIN:VTIMEZONE
            TZID:Customized Time Zone
            BEGIN:STANDARD
            DTSTART:16010101T020000
            TZOFFSETFROM:-0500
            TZOFFSETTO:-0600
            RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:16010101T020000
            TZOFFSETFROM:-0600
            TZOFFSETTO:-0500
            RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
            END:DAYLIGHT
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:custom
            DTSTART;TZID="Customized Time Zone":20010115T090000
            DTEND;TZID="Customized Time Zone":20010115T100000
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            BEGIN:VEVENT
            UID:unknown-zone
            DTSTART;TZID=Nowhere Standard Time:20010115T090000
            ORGANIZER:mailto:a@x.com
            END:VEVENT
            END:VCALENDAR
            """, WindowStart, WindowEnd);
        Assert.Equal(0, result.MalformedEvents);
        var meetings = result.Meetings.ToDictionary(m => m.Key);
        Assert.Equal(Utc(2001, 1, 15, 15), meetings["ics:custom"].Start);
        Assert.Equal(1, meetings["ics:custom"].Hours);
        Assert.Equal(Utc(2001, 1, 15, 9), meetings["ics:unknown-zone"].Start); // unknown everywhere: read as UTC, not lost
    }

    [Theory]
    [InlineData("4:00 PM - 4:30 PM (Central Standard Time)", 16, 0, 16, 30)]
    [InlineData("10:30 AM (CDT)", 10, 30, 11, 30)]
    [InlineData("11:00 a.m. (Central)", 11, 0, 12, 0)]
    [InlineData("11:30 - 1:00 PM", 11, 30, 13, 0)]
    [InlineData("1:00 to 2:00 PM (Eastern Time), 10:00 to 11:00 AM (PT)", 13, 0, 14, 0)]
    [InlineData("8:00 AM - 5:00 PM (Central Standard Time)", 8, 0, 17, 0)]
    public void Lotus_time_ranges(string text, int h1, int m1, int h2, int m2)
    {
        Assert.True(InvitationText.TryParseTimeRange(text, out var start, out var end, out _));
        Assert.Equal(new TimeSpan(h1, m1, 0), start);
        Assert.Equal(new TimeSpan(h2, m2, 0), end);
    }
}
