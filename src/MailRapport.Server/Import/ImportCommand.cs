using System.CommandLine;
using MailRapport.Server.Cli;
using MailRapport.Server.Hosting;
using Spectre.Console;

namespace MailRapport.Server.Import;

/// <summary><c>mailrapport import PATH [--owner ADDRESS]... [--mailbox NAME] [--db PATH]</c></summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A maildir (CMU Enron layout or cur/new), an mbox, an .eml or .ics file, or a folder of them." };
        var owner = new Option<string[]>("--owner")
        {
            Description = "An address of the mailbox owner (repeatable). Default: inferred from the sent folders.",
            AllowMultipleArgumentsPerToken = false,
        };
        var mailbox = new Option<string?>("--mailbox") { Description = "Mailbox id to store under (default: the folder's name)." };
        var db = CommonOptions.Db();
        var command = new Command("import", "Import exported mail and calendars (metadata only) into a mailbox.") { path, owner, mailbox, db };
        command.SetAction(async (parse, ct) =>
        {
            var request = new ImportRequest
            {
                Path = parse.GetValue(path)!,
                Owners = parse.GetValue(owner) ?? [],
                MailboxId = parse.GetValue(mailbox),
            };
            if (!File.Exists(request.Path) && !Directory.Exists(request.Path))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Nothing to import at {request.Path}[/]");
                return 2;
            }
            await using var host = CommandHost.Build(CommandHost.CreateBuilder(CommandHost.StoreSettings(parse.GetValue(db)!)));
            var importer = host.Services.GetRequiredService<MailImporter>();
            ImportReport report;
            if (AnsiConsole.Profile.Capabilities.Interactive)
            {
                report = await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask("Reading headers", maxValue: 1);
                        var progress = new Progress<ImportProgress>(p =>
                        {
                            task.MaxValue = Math.Max(1, p.FilesTotal);
                            task.Value = p.FilesDone;
                            task.Description = p.Phase == "writing" ? "Writing" : "Reading headers";
                        });
                        var r = await importer.ImportAsync(request, progress, ct);
                        task.Value = task.MaxValue;
                        return r;
                    });
            }
            else
            {
                report = await importer.ImportAsync(request, null, ct);
            }
            Print(report);
            return 0;
        });
        return command;
    }

    private static void Print(ImportReport r)
    {
        var table = new Table().HideHeaders().AddColumn("what").AddColumn(new TableColumn("count").RightAligned());
        void Row(string what, object value) => table.AddRow(Markup.Escape(what), Markup.Escape(value.ToString() ?? ""));
        Row("mailbox", r.MailboxId);
        Row("owners", r.Owners.Count == 0 ? "(none)" : string.Join(", ", r.Owners));
        Row("owners from", r.OwnerSource);
        Row("files read", r.FilesRead);
        Row("files unreadable", r.FilesUnreadable);
        Row("messages read", r.MessagesRead);
        Row("duplicates dropped (Message-ID)", r.DuplicatesByMessageId);
        Row("duplicates dropped (same sender, recipients, date, subject)", r.DuplicatesBySignature);
        Row("messages stored", r.MessagesStored);
        Row("meetings stored (calendars / invitations / calendar items)", $"{r.MeetingsStored} ({r.MeetingsFromCalendars} / {r.MeetingsFromInvitations} / {r.MeetingsFromCalendarItems})");
        Row("malformed (not mail)", r.Malformed);
        Row("no sender", r.NoSender);
        Row("broken dates (missing / unreadable / placeholder)", $"{r.BrokenDates} ({r.DatesMissing} / {r.DatesUnparseable} / {r.DatesImplausible})");
        Row("calendar events skipped", r.CalendarEventsMalformed);
        foreach (var (reason, count) in r.CalendarEventsSkipped) Row("  " + reason, count);
        Row("invitees not matched to an address", r.InviteesUnresolved);
        Row("time", $"{r.Elapsed.TotalSeconds:0.00} s");
        AnsiConsole.Write(table);
        if (r.OwnerWarning is { } warning) AnsiConsole.MarkupLineInterpolated($"[yellow]owners: {warning}[/]");
        if (r.NothingStored) AnsiConsole.MarkupLine("nothing to store: the store was left unchanged");
        foreach (var e in r.Examples) AnsiConsole.MarkupLineInterpolated($"[grey]skipped {e}[/]");
    }
}
