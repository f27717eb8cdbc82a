using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using MailRapport.Core;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Import;

public sealed record ImportRequest
{
    public required string Path { get; init; }
    /// <summary>Owner addresses; empty means infer them from the sent folders.</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];
    /// <summary>Mailbox id to store under; default: the import folder's name.</summary>
    public string? MailboxId { get; init; }
    /// <summary>Dates after this are implausible; iCalendar series are expanded up to a year after it.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>Progress of the read phase: files done out of the total.</summary>
public readonly record struct ImportProgress(int FilesDone, int FilesTotal, string Phase);

/// <summary>
/// Imports exported mail (maildir, CMU Enron maildir, mbox, .eml, .ics) into a mailbox: reads header blocks only,
/// drops duplicate copies, finds the owner, threads, and writes metadata through <see cref="InteractionStore"/> with stable keys,
/// so importing the same data again changes nothing.
/// </summary>
public sealed class MailImporter(MailStore store)
{
    private readonly InteractionStore interactions = new(store);

    private const int WriteBatch = 5000;

    public async Task<ImportReport> ImportAsync(ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var read = Read(request, progress, ct);
        await store.MigrateAsync(ct);
        var existing = await interactions.GetMailboxAsync(request.MailboxId ?? DefaultMailboxId(request.Path), ct);
        var plan = PlanMail(read, request, existing?.OwnerAddresses);
        var report = plan.Report;

        progress?.Report(new ImportProgress(read.Report.FilesRead, read.Report.FilesRead, "writing"));
        // The mailbox row is written only when something is stored or the user changed the owners: a batch that
        // contributes nothing leaves the store as it was.
        bool mailboxWritten = false;
        async Task EnsureMailboxAsync()
        {
            if (mailboxWritten) return;
            mailboxWritten = true;
            await interactions.UpsertMailboxAsync(new StoredMailbox(report.MailboxId, report.Owners, existing?.DisplayName ?? report.MailboxId,
                "import:" + System.IO.Path.GetFullPath(request.Path), existing?.CreatedAt ?? request.Now), ct);
        }
        if (existing is not null && !existing.OwnerAddresses.SequenceEqual(report.Owners, StringComparer.Ordinal)) await EnsureMailboxAsync();
        foreach (var batch in plan.Messages.Chunk(WriteBatch))
        {
            ct.ThrowIfCancellationRequested();
            await EnsureMailboxAsync();
            await interactions.UpsertMessagesAsync(report.MailboxId, batch, ct);
        }
        foreach (var batch in plan.Meetings.Chunk(WriteBatch))
        {
            await EnsureMailboxAsync();
            await interactions.UpsertMeetingsAsync(report.MailboxId, batch, ct);
        }
        // Calendar files are streamed into the store a batch at a time: memory does not grow with their size.
        var owners = report.Owners.ToHashSet(StringComparer.Ordinal);
        var pending = new List<MeetingInteraction>(WriteBatch);
        foreach (var meeting in CalendarMeetings(read.CalendarFiles, request.Now, owners, report))
        {
            pending.Add(meeting);
            report.MeetingsFromCalendars++;
            if (pending.Count < WriteBatch) continue;
            ct.ThrowIfCancellationRequested();
            await EnsureMailboxAsync();
            await interactions.UpsertMeetingsAsync(report.MailboxId, pending, ct);
            pending.Clear();
        }
        if (pending.Count > 0)
        {
            await EnsureMailboxAsync();
            await interactions.UpsertMeetingsAsync(report.MailboxId, pending, ct);
        }
        report.NothingStored = !mailboxWritten;
        report.Elapsed = clock.Elapsed;
        return report;
    }

    /// <summary>What the read phase found: parsed messages in source order, the calendar files (streamed later), and the counts.</summary>
    public sealed record ReadResult(List<ParsedMail> Mails, IReadOnlyList<string> CalendarFiles, ImportReport Report);

    public static ReadResult Read(ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var all = MailSources.Discover(request.Path);
        var calendars = all.Where(f => f.Kind == SourceKind.Calendar).Select(f => f.Path).ToList();
        var files = all.Where(f => f.Kind != SourceKind.Calendar).ToList();
        var perFile = new FileResult[files.Count];
        int done = 0;
        // Files are read in parallel and merged in path order, so the outcome does not depend on thread timing.
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, i =>
        {
            perFile[i] = ReadFile(files[i], request.Now);
            int n = Interlocked.Increment(ref done);
            if (n % 256 == 0 || n == files.Count) progress?.Report(new ImportProgress(n, files.Count, "reading"));
        });
        var report = new ImportReport();
        var mails = new List<ParsedMail>();
        foreach (var r in perFile)
        {
            mails.AddRange(r.Mails);
            report.Add(r.Report);
        }
        return new ReadResult(mails, calendars, report);
    }

    private sealed record FileResult(List<ParsedMail> Mails, ImportReport Report);

    private static FileResult ReadFile(SourceFile file, DateTimeOffset now)
    {
        var report = new ImportReport();
        var mails = new List<ParsedMail>();
        try
        {
            var latestPlausible = now.AddDays(2);
            MailSources.ReadMessages(file.Path, (data, source) =>
            {
                report.MessagesRead++;
                ParseOutcome outcome;
                ParsedMail? mail;
                DateQuality quality;
                try
                {
                    outcome = MailParser.Parse(data, source, file.Folder, latestPlausible, out mail, out quality);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Hostile input must not stop an import: a parser failure counts as a malformed message.
                    report.Malformed++;
                    report.Example(source, "parser error: " + e.GetType().Name);
                    return;
                }
                switch (outcome)
                {
                    case ParseOutcome.Ok: mails.Add(mail!); break;
                    case ParseOutcome.Malformed: report.Malformed++; report.Example(source, "not a mail header"); break;
                    case ParseOutcome.NoSender: report.NoSender++; report.Example(source, "no sender address"); break;
                    case ParseOutcome.BrokenDate:
                        if (quality == DateQuality.Missing) report.DatesMissing++;
                        else if (quality == DateQuality.Unparseable) report.DatesUnparseable++;
                        else report.DatesImplausible++;
                        report.Example(source, $"date {quality.ToString().ToLowerInvariant()}");
                        break;
                }
            });
            report.FilesRead++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            report.FilesUnreadable++;
            report.Example(file.Path, "unreadable: " + e.Message);
        }
        return new FileResult(mails, report);
    }

    /// <summary>The interactions to store, after owners, duplicates and threads are resolved.</summary>
    public sealed record ImportPlan(IReadOnlyList<MessageInteraction> Messages, IReadOnlyList<MeetingInteraction> Meetings, ImportReport Report);

    /// <summary>
    /// The whole plan in memory, calendar meetings included (tests, evaluation); <see cref="ImportAsync"/> streams the
    /// calendar files instead.
    /// </summary>
    /// <param name="storedOwners">The owners already stored for the mailbox, when it exists: they stay unless owners are given.</param>
    public static ImportPlan Plan(ReadResult read, ImportRequest request, IReadOnlyList<string>? storedOwners = null)
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
                yield return WithOwnerResponse(meetings.Current, owners);
            }
            if (!failed) report.FilesRead++;
        }
    }

    /// <summary>Owners, duplicates, threads and the meetings found in mail; calendar files are left to the caller.</summary>
    internal static ImportPlan PlanMail(ReadResult read, ImportRequest request, IReadOnlyList<string>? storedOwners)
    {
        var report = read.Report;
        report.MailboxId = request.MailboxId ?? DefaultMailboxId(request.Path);
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
                if (CalendarItemMeeting(mail, key, ownerSet) is { } item && meetings.TryAdd(item.Key, item)) report.MeetingsFromCalendarItems++;
                continue; // a calendar entry, not correspondence
            }
            messages.Add(ToMessage(mail, key, ownerSet, conversations[key]));
            if (mail.Invitation is { } inv && InvitationMeeting(mail, inv, names, ownerSet, report) is { } meeting && meetings.TryAdd(meeting.Key, meeting))
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

    public static string DefaultMailboxId(string path)
    {
        var full = System.IO.Path.GetFullPath(path).TrimEnd('/', '\\');
        var name = System.IO.Path.GetFileName(full);
        if (name is "maildir" or "Maildir" or "cur" or "new") name = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(full)) ?? name;
        return System.IO.Path.GetFileNameWithoutExtension(name) is { Length: > 0 } n ? n : "imported";
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

    internal static MessageInteraction ToMessage(ParsedMail mail, string key, HashSet<string> owners, string? conversationId)
    {
        bool outgoing = owners.Contains(mail.From.Address);
        var counterparts = new List<Counterpart>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (!outgoing)
        {
            counterparts.Add(new Counterpart(mail.From.Address, mail.From.DisplayName, RecipientRole.From));
            seen.Add(mail.From.Address);
        }
        var ownerRole = RecipientRole.Bcc; // not listed: a blind copy or a list delivery
        bool ownerFound = false;
        var recipients = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (list, role) in new[] { (mail.To, RecipientRole.To), (mail.Cc, RecipientRole.Cc), (mail.Bcc, RecipientRole.Bcc) })
        {
            foreach (var a in list)
            {
                recipients.Add(a.Address);
                if (owners.Contains(a.Address))
                {
                    if (!ownerFound) { ownerRole = role; ownerFound = true; }
                    continue;
                }
                if (seen.Add(a.Address)) counterparts.Add(new Counterpart(a.Address, a.DisplayName, role));
            }
        }
        return new MessageInteraction
        {
            Key = key,
            Timestamp = mail.Timestamp.ToUniversalTime(),
            Direction = outgoing ? Direction.Outgoing : Direction.Incoming,
            From = mail.From.Address,
            FromDisplayName = mail.From.DisplayName,
            Counterparts = counterparts,
            RecipientCount = recipients.Count,
            OwnerRole = outgoing ? RecipientRole.To : ownerRole,
            ConversationId = conversationId,
            IsReply = mail.InReplyTo is not null || mail.References.Count > 0 || Subjects.HasReplyPrefix(mail.Subject),
            Markers = mail.Markers,
        };
    }

    /// <summary>Outlook calendar items exported as mail: organizer in From, attendees in To/Cc; the export has no start or end, so the item's date stands for the start and one hour for the length.</summary>
    private static MeetingInteraction? CalendarItemMeeting(ParsedMail mail, string key, HashSet<string> owners)
    {
        var attendees = mail.To.Select(a => (a, AttendeeKind.Required)).Concat(mail.Cc.Select(a => (a, AttendeeKind.Optional)))
            .Where(x => x.a.Address != mail.From.Address)
            .DistinctBy(x => x.a.Address)
            .Select(x => new Attendee(x.a.Address, x.a.DisplayName, x.Item2, AttendeeResponse.None))
            .ToList();
        var meeting = new MeetingInteraction
        {
            Key = key,
            Organizer = mail.From.Address,
            OrganizerDisplayName = mail.From.DisplayName,
            Attendees = attendees,
            Start = mail.Timestamp.ToUniversalTime(),
            End = mail.Timestamp.ToUniversalTime().AddHours(1),
            IsCancelled = mail.Subject.StartsWith("Canceled:", StringComparison.OrdinalIgnoreCase) || mail.Subject.StartsWith("Cancelled:", StringComparison.OrdinalIgnoreCase),
        };
        return WithOwnerResponse(meeting, owners);
    }

    private static MeetingInteraction? InvitationMeeting(ParsedMail mail, InvitationText inv, NameDirectory names, HashSet<string> owners, ImportReport report)
    {
        var organizer = names.Resolve(inv.Chairperson);
        if (organizer is null)
        {
            report.InviteesUnresolved++;
            organizer = mail.From.Address; // the mail's sender published the entry
        }
        var attendees = new List<Attendee>();
        foreach (var name in inv.Invitees)
        {
            var address = names.Resolve(name);
            if (address is null) { report.InviteesUnresolved++; continue; }
            if (address != organizer && attendees.All(a => a.Address != address))
                attendees.Add(new Attendee(address, DisplayText.Name(name), AttendeeKind.Required, AttendeeResponse.None));
        }
        var basis = $"{organizer}|{inv.Start.ToUnixTimeSeconds()}|{inv.End.ToUnixTimeSeconds()}|{string.Join(',', attendees.Select(a => a.Address).Order(StringComparer.Ordinal))}";
        var meeting = new MeetingInteraction
        {
            Key = "inv:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(basis)).AsSpan(0, 16)),
            Organizer = organizer,
            OrganizerDisplayName = DisplayText.Name(inv.Chairperson),
            Attendees = attendees,
            Start = inv.Start.ToUniversalTime(),
            End = inv.End.ToUniversalTime(),
        };
        return WithOwnerResponse(meeting, owners);
    }

    internal static MeetingInteraction WithOwnerResponse(MeetingInteraction meeting, HashSet<string> owners)
    {
        if (owners.Contains(meeting.Organizer)) return meeting with { OwnerResponse = AttendeeResponse.Organizer };
        foreach (var a in meeting.Attendees)
            if (owners.Contains(a.Address) && a.Response != AttendeeResponse.None)
                return meeting with { OwnerResponse = a.Response };
        return meeting; // the contract's default: Accepted
    }
}
