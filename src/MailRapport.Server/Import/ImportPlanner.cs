using System.Security.Cryptography;
using System.Text;
using MailRapport.Core;

namespace MailRapport.Server.Import;

/// <summary>The interactions to store, after owners, duplicates and threads are resolved.</summary>
public sealed record ImportPlan(IReadOnlyList<MessageInteraction> Messages, IReadOnlyList<MeetingInteraction> Meetings, ImportReport Report);

/// <summary>
/// From what the read phase found to what is stored: the owners, late outliers and duplicate copies dropped, threads,
/// and meetings from invitations, calendar items and calendar files.
/// </summary>
public static class ImportPlanner
{
    /// <summary>
    /// The whole plan in memory, calendar meetings included (tests, evaluation); <see cref="MailImporter.ImportAsync"/> streams the
    /// calendar files instead.
    /// </summary>
    /// <param name="storedOwners">The owners already stored for the mailbox, when it exists: they stay unless owners are given.</param>
    public static ImportPlan Plan(MailImporter.ReadResult read, ImportRequest request, IReadOnlyList<string>? storedOwners = null)
    {
        var plan = PlanMail(read, request, storedOwners);
        var report = plan.Report;
        var meetings = plan.Meetings.ToDictionary(m => m.Key, StringComparer.Ordinal);
        foreach (var m in CalendarMeetings(read.CalendarFiles, request.Now, report.Owners.ToHashSet(StringComparer.Ordinal), report))
            if (meetings.TryAdd(m.Key, m)) report.MeetingsFromCalendars++;
        return plan with { Meetings = meetings.Values.OrderBy(m => m.Start).ThenBy(m => m.Key, StringComparer.Ordinal).ToList() };
    }

    /// <summary>
    /// The meetings of calendar files, one file and one event at a time, with the owner's response; events left out
    /// are counted by reason, and a file that cannot be read is counted as unreadable (what it gave before stays).
    /// </summary>
    internal static IEnumerable<MeetingInteraction> CalendarMeetings(IReadOnlyList<string> files, DateTimeOffset now, HashSet<string> owners, ImportReport report)
    {
        foreach (var path in files)
        {
            using var meetings = ICalendarReader.ReadFile(path, MailDate.EarliestPlausible, now.AddYears(1), reason => report.SkipCalendarEvent(reason, path)).GetEnumerator();
            bool failed = false;
            while (true)
            {
                try
                {
                    if (!meetings.MoveNext()) break;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
                {
                    report.FilesUnreadable++;
                    report.Example(path, "unreadable: " + e.Message);
                    failed = true;
                    break;
                }
                yield return ImportedMailMapper.WithOwnerResponse(meetings.Current, owners);
            }
            if (!failed) report.FilesRead++;
        }
    }

    /// <summary>Owners, duplicates, threads and the meetings found in mail; calendar files are left to the caller.</summary>
    internal static ImportPlan PlanMail(MailImporter.ReadResult read, ImportRequest request, IReadOnlyList<string>? storedOwners)
    {
        var report = read.Report;
        report.MailboxId = request.MailboxId ?? MailImporter.DefaultMailboxId(request.Path);
        var owners = ResolveOwners(read.Mails, request, storedOwners, report);
        report.Owners = owners;
        var ownerSet = owners.ToHashSet(StringComparer.Ordinal);

        var mails = DropLateOutliers(read.Mails, report);
        var unique = Deduplicate(mails, report);
        var conversations = Threads.Assign(unique, ownerSet);

        var messages = new List<MessageInteraction>(unique.Count);
        var meetings = new Dictionary<string, MeetingInteraction>(StringComparer.Ordinal);
        var names = new NameDirectory(read.Mails);
        foreach (var (mail, key) in unique)
        {
            if (mail.IsCalendarItem)
            {
                if (ImportedMailMapper.CalendarItemMeeting(mail, key, ownerSet) is { } item && meetings.TryAdd(item.Key, item)) report.MeetingsFromCalendarItems++;
                continue; // a calendar entry, not correspondence
            }
            messages.Add(ImportedMailMapper.ToMessage(mail, key, ownerSet, conversations[key]));
            if (mail.Invitation is { } inv && ImportedMailMapper.InvitationMeeting(mail, inv, names, ownerSet, report) is { } meeting && meetings.TryAdd(meeting.Key, meeting))
                report.MeetingsFromInvitations++;
        }
        report.MessagesStored = messages.Count;
        return new ImportPlan(messages, meetings.Values.OrderBy(m => m.Start).ThenBy(m => m.Key, StringComparer.Ordinal).ToList(), report);
    }

    /// <summary>
    /// Owners change only when the user says so: given owners (<c>--owner</c>) replace the stored ones; otherwise an
    /// existing mailbox keeps its owners, and owners inferred from this batch are only compared with them (a stray
    /// file, a batch of garbage or a mail to 10,000 people must not re-assign a mailbox). A new mailbox infers them.
    /// </summary>
    internal static List<string> ResolveOwners(List<ParsedMail> mails, ImportRequest request, IReadOnlyList<string>? storedOwners, ImportReport report)
    {
        var given = request.Owners.Select(EmailAddress.Normalize).OfType<string>().Distinct().ToList();
        var stored = storedOwners ?? [];
        if (given.Count > 0)
        {
            report.OwnerSource = stored.Count > 0 && !stored.SequenceEqual(given, StringComparer.Ordinal)
                ? "given (replacing the stored " + string.Join(", ", stored) + ")"
                : "given";
            return given;
        }
        var (inferred, source) = OwnerInference.Infer(mails);
        if (stored.Count == 0) { report.OwnerSource = source; return inferred; }
        var strangers = inferred.Where(a => !stored.Contains(a, StringComparer.Ordinal)).ToList();
        report.OwnerSource = "stored (the mailbox exists)";
        if (strangers.Count > 0)
            report.OwnerWarning = $"this batch looks owned by {string.Join(", ", strangers)} ({source}); kept the stored owners {string.Join(", ", stored)}: pass --owner to change them";
        return [.. stored];
    }

    /// <summary>
    /// Dates years after nearly all of the mailbox (Enron has 2020 among 1999-2002 mail) are clock errors, not mail from
    /// the future: more than two years after the 95th percentile counts as a broken date.
    /// </summary>
    internal static List<ParsedMail> DropLateOutliers(List<ParsedMail> mails, ImportReport report)
    {
        if (mails.Count < 20) return mails;
        var sorted = mails.Select(m => m.Timestamp.UtcTicks).Order().ToArray();
        var limit = new DateTimeOffset(sorted[(int)(sorted.Length * 0.95)], TimeSpan.Zero).AddYears(2);
        var kept = new List<ParsedMail>(mails.Count);
        foreach (var m in mails)
        {
            if (m.Timestamp <= limit) { kept.Add(m); continue; }
            report.DatesImplausible++;
            report.Example(m.Source, "date implausible (years after the rest of the mailbox)");
        }
        return kept;
    }

    /// <summary>
    /// Drops copies: first by Message-ID, then by sender + To/Cc + instant + subject (exports such as Enron's give each
    /// copy its own id). The surviving copy keeps the signature's hash as its key, so the same mail gets the same key on
    /// every run and from every folder it is imported from.
    /// </summary>
    internal static List<(ParsedMail Mail, string Key)> Deduplicate(List<ParsedMail> mails, ImportReport report)
    {
        var byId = new HashSet<string>(StringComparer.Ordinal);
        var bySignature = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(ParsedMail, string)>(mails.Count);
        foreach (var mail in mails)
        {
            var key = (mail.IsCalendarItem ? "cal:" : "msg:") + Signature(mail);
            if (mail.MessageId is { } id && !byId.Add(id)) { report.DuplicatesByMessageId++; continue; }
            if (!bySignature.Add(key)) { report.DuplicatesBySignature++; continue; }
            result.Add((mail, key));
        }
        return result;
    }

    internal static string Signature(ParsedMail mail)
    {
        var sb = new StringBuilder(256);
        sb.Append(mail.From.Address).Append('|');
        foreach (var r in mail.To.Concat(mail.Cc).Select(a => a.Address).Distinct().Order(StringComparer.Ordinal)) sb.Append(r).Append(',');
        sb.Append('|').Append(mail.Timestamp.ToUnixTimeSeconds()).Append('|');
        sb.Append(Subjects.Collapse(mail.Subject));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())).AsSpan(0, 16));
    }
}
