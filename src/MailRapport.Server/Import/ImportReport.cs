namespace MailRapport.Server.Import;

/// <summary>What an import read, kept, dropped and could not use. Nothing here stops an import.</summary>
public sealed class ImportReport
{
    public string MailboxId { get; set; } = "";
    public IReadOnlyList<string> Owners { get; set; } = [];
    /// <summary>How the owners were found: "given", or which folders they were inferred from.</summary>
    public string OwnerSource { get; set; } = "";
    /// <summary>Set when this batch's inferred owners differ from the stored ones (which were kept).</summary>
    public string? OwnerWarning { get; set; }
    /// <summary>True when the batch contributed nothing, so the store was not written at all.</summary>
    public bool NothingStored { get; set; }
    public int FilesRead { get; set; }
    /// <summary>Files that could not be opened or read.</summary>
    public int FilesUnreadable { get; set; }
    public int MessagesRead { get; set; }
    /// <summary>Not a header block at all (binary, empty, no fields).</summary>
    public int Malformed { get; set; }
    public int NoSender { get; set; }
    public int DatesMissing { get; set; }
    public int DatesUnparseable { get; set; }
    /// <summary>Placeholder or impossible dates (1979-12-31, year 0001, future).</summary>
    public int DatesImplausible { get; set; }
    public int BrokenDates => DatesMissing + DatesUnparseable + DatesImplausible;
    public int DuplicatesByMessageId { get; set; }
    /// <summary>Copies with their own Message-ID but the same sender, recipients, date and subject.</summary>
    public int DuplicatesBySignature { get; set; }
    public int Duplicates => DuplicatesByMessageId + DuplicatesBySignature;
    public int MessagesStored { get; set; }
    public int MeetingsFromCalendars { get; set; }
    public int MeetingsFromInvitations { get; set; }
    public int MeetingsFromCalendarItems { get; set; }
    public int MeetingsStored => MeetingsFromCalendars + MeetingsFromInvitations + MeetingsFromCalendarItems;
    /// <summary>Calendar events left out (all reasons); <see cref="CalendarEventsSkipped"/> says why.</summary>
    public int CalendarEventsMalformed { get; set; }
    /// <summary>Calendar events left out, by reason (no organizer, placeholder start, sub-daily or cut series, ...).</summary>
    public SortedDictionary<string, int> CalendarEventsSkipped { get; } = new(StringComparer.Ordinal);
    public int InviteesUnresolved { get; set; }
    /// <summary>A few of the sources that were skipped, with the reason, for the user to look at.</summary>
    public List<string> Examples { get; } = [];
    public TimeSpan Elapsed { get; set; }

    /// <summary>Adds the read-phase counts of one file's report (read in parallel, merged in path order).</summary>
    internal void Add(ImportReport other)
    {
        FilesRead += other.FilesRead;
        FilesUnreadable += other.FilesUnreadable;
        MessagesRead += other.MessagesRead;
        Malformed += other.Malformed;
        NoSender += other.NoSender;
        DatesMissing += other.DatesMissing;
        DatesUnparseable += other.DatesUnparseable;
        DatesImplausible += other.DatesImplausible;
        CalendarEventsMalformed += other.CalendarEventsMalformed;
        foreach (var e in other.Examples)
            if (Examples.Count < 10) Examples.Add(e);
    }

    internal void SkipCalendarEvent(string reason, string source)
    {
        CalendarEventsMalformed++;
        CalendarEventsSkipped[reason] = CalendarEventsSkipped.GetValueOrDefault(reason) + 1;
        if (CalendarEventsSkipped[reason] == 1) Example(source, "calendar event " + reason);
    }

    internal void Example(string source, string reason)
    {
        if (Examples.Count < 10) Examples.Add($"{reason}: {source}");
    }
}
