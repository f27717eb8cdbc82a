using System.Diagnostics;
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
        var plan = ImportPlanner.PlanMail(read, request, existing?.OwnerAddresses);
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
        foreach (var meeting in ImportPlanner.CalendarMeetings(read.CalendarFiles, request.Now, owners, report))
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

    public static string DefaultMailboxId(string path)
    {
        var full = System.IO.Path.GetFullPath(path).TrimEnd('/', '\\');
        var name = System.IO.Path.GetFileName(full);
        if (name is "maildir" or "Maildir" or "cur" or "new") name = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(full)) ?? name;
        return System.IO.Path.GetFileNameWithoutExtension(name) is { Length: > 0 } n ? n : "imported";
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
}
