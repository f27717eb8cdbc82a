using MailRapport.Core;
using System.CommandLine;
using System.Diagnostics;
using MailRapport.Server.Cli;
using MailRapport.Server.Graph;
using MailRapport.Server.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions;
using Spectre.Console;

namespace MailRapport.Server.Scanning;

/// <summary>`mailrapport scan --mailbox UPN`: one Graph delta scan of a mailbox into the local store, with live progress.</summary>
public static class ScanCommand
{
    public static Command Create()
    {
        var mailbox = new Option<string>("--mailbox") { Description = "User principal name (or id) of the mailbox to scan.", Required = true };
        var db = CommonOptions.Db();
        var baseUrl = new Option<string?>("--graph-base-url")
        {
            Description = $"Graph root, e.g. http://127.0.0.1:5123/v1.0 for a local server (no credentials needed). Default: Graph:BaseUrl or {GraphOptions.DefaultBaseUrl}.",
        };
        var command = new Command("scan", "Read a Microsoft 365 mailbox's mail and calendar metadata through Microsoft Graph (incremental after the first run).")
        {
            mailbox, db, baseUrl,
        };
        command.SetAction(async (parse, ct) =>
        {
            // The service's host on the --db file, with the Graph feature (scan reads Graph in any mode); --graph-base-url wins.
            var settings = CommandHost.StoreSettings(parse.GetValue(db)!);
            if (parse.GetValue(baseUrl) is { Length: > 0 } url) settings[$"{GraphOptions.Section}:{nameof(GraphOptions.BaseUrl)}"] = url;
            var builder = CommandHost.CreateBuilder(settings);
            builder.AddGraphScanning();
            CommandHost host;
            try
            {
                host = CommandHost.Build(builder);
            }
            catch (ConfigurationException e) when (e.Failure.Options.Contains(typeof(GraphOptions)))
            {
                Console.Error.WriteLine($"Graph configuration is incomplete: {string.Join(" ", e.Failure.Messages)}");
                Console.Error.WriteLine("Set Graph__TenantId, Graph__ClientId and Graph__ClientSecret (or Graph__CertificatePath) in the environment or appsettings.json; see docs/graph.md.");
                return 2;
            }
            await using var _ = host;
            await host.Store.MigrateAsync(ct);
            var scanner = host.Services.GetRequiredService<GraphMailboxScanner>();
            var factory = host.Services.GetRequiredService<MailGraphClientFactory>();
            var options = host.Services.GetRequiredService<IOptions<GraphOptions>>().Value;
            var id = MailboxId.Normalize(parse.GetValue(mailbox)); // the key the service stores the same mailbox under
            try
            {
                var result = await RunWithProgressAsync(scanner, id, ct);
                AnsiConsole.MarkupLineInterpolated(
                    $"[green]Scanned {id}[/]: {result.MessagesUpserted} messages and {result.MeetingsUpserted} meetings stored, {result.MessagesRemoved} + {result.MeetingsRemoved} removed, {result.ItemsSkipped} skipped, {result.Requests} requests in {result.Elapsed.TotalSeconds:0.0} s.");
                if (factory.Counter.Throttled > 0)
                    AnsiConsole.MarkupLineInterpolated($"[yellow]Throttled {factory.Counter.Throttled} times (longest Retry-After {factory.Counter.LongestRetryAfter.TotalSeconds:0} s).[/]");
                return 0;
            }
            catch (GraphRetriesExhaustedException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
            catch (ApiException ex)
            {
                Console.Error.WriteLine($"Microsoft Graph refused the scan of {id}: HTTP {ex.ResponseStatusCode} {ex.Message.TrimEnd('.')}. " +
                    "Check the mailbox name and that the app has Mail.ReadBasic.All and Calendars.ReadBasic.All with admin consent. " +
                    "Everything committed so far is kept; the next run resumes from there.");
                return 1;
            }
            catch (HttpRequestException ex)
            {
                Console.Error.WriteLine($"Could not reach Microsoft Graph at {options.BaseUrl}: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<ScanResult> RunWithProgressAsync(GraphMailboxScanner scanner, string mailboxId, CancellationToken ct)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            string? lastScope = null;
            var lines = new SyncProgress(p =>
            {
                if (p.Scope == lastScope && p.Phase != "done") return;
                lastScope = p.Scope;
                Console.WriteLine($"{p.Phase,-9} {p.Scope ?? ""}  pages {p.Pages}, messages {p.Messages}, meetings {p.Meetings}, requests {p.Requests}");
            });
            return await scanner.ScanAsync(mailboxId, lines, ct);
        }

        var clock = Stopwatch.StartNew();
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Phase", "Folder / window", "Folders", "Pages", "Messages", "Meetings", "Requests", "Rate");
        table.AddRow("starting", "", "0", "0", "0", "0", "0", "");
        ScanResult? result = null;
        await AnsiConsole.Live(table).StartAsync(async live =>
        {
            var folders = new HashSet<string>(StringComparer.Ordinal);
            var progress = new SyncProgress(p =>
            {
                if (p.Phase == "mail" && p.Scope is not null) folders.Add(p.Scope);
                var rate = clock.Elapsed.TotalSeconds > 0 ? (p.Messages + p.Meetings) / clock.Elapsed.TotalSeconds : 0;
                table.UpdateCell(0, 0, p.Phase);
                table.UpdateCell(0, 1, Markup.Escape(p.Scope ?? ""));
                table.UpdateCell(0, 2, folders.Count.ToString());
                table.UpdateCell(0, 3, p.Pages.ToString());
                table.UpdateCell(0, 4, p.Messages.ToString());
                table.UpdateCell(0, 5, p.Meetings.ToString());
                table.UpdateCell(0, 6, p.Requests.ToString());
                table.UpdateCell(0, 7, $"{rate:0}/s");
                live.Refresh();
            });
            result = await scanner.ScanAsync(mailboxId, progress, ct);
        });
        return result!;
    }

    /// <summary>Reports on the scanning thread, one at a time (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
    private sealed class SyncProgress(Action<ScanProgress> report) : IProgress<ScanProgress>
    {
        private readonly Lock _lock = new();
        public void Report(ScanProgress value) { lock (_lock) report(value); }
    }
}
