using System.CommandLine;
using MailRapport.Core;
using MailRapport.Server.Hosting;
using MailRapport.Server.Profiles;
using MailRapport.Server.Scanning;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Cli;

/// <summary>The `mailrapport` command line. Each feature folder contributes its own command.</summary>
public static class CliApp
{
    /// <summary>Show the full trace of an error instead of one line.</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "On an error, print the full trace.", Recursive = true };

    public static RootCommand Create()
    {
        var root = new RootCommand("MailRapport: where you stand with each person you work with.");
        root.Add(Verbose);
        root.Add(SampleCommand.Create());
        root.Add(ContactsCommand.Create());
        root.Add(SummaryCommand.Create());
        root.Add(MarkCommand.Create());
        root.Add(Import.ImportCommand.Create());
        root.Add(Evaluation.EvaluateCommand.Create());
        root.Add(ServeCommand.Create());
        root.Add(Pane.ManifestCommand.Create());
        root.Add(Scanning.ScanCommand.Create());
        return root;
    }

    /// <summary>Runs a command. An error is one line on stderr (the file, what is wrong, what to do) and exit code 1; --verbose adds the trace.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync(e is ConfigurationException ? e.Message : StoreUnusableException.Find(e) ?? $"Error: {e.Message}");
            if (parse.GetValue(Verbose)) await Console.Error.WriteLineAsync(e.ToString());
            return 1;
        }
    }

    /// <summary>The command's host on the SQLite store it points at (migrated): the service's registrations, nothing started.</summary>
    public static Task<CommandHost> OpenAsync(string dbPath, CancellationToken ct) => CommandHost.OpenAsync(dbPath, ct);

    /// <summary>Opens the store and resolves the mailbox a command works on; null (after saying why on stderr) when there is none.</summary>
    public static async Task<MailboxSession?> OpenMailboxAsync(string dbPath, string? requested, CancellationToken ct)
    {
        var host = await OpenAsync(dbPath, ct);
        var id = await ResolveMailboxAsync(host.Store, requested, Console.Error, ct);
        if (id is not null) return new MailboxSession(host, id);
        await host.DisposeAsync();
        return null;
    }

    /// <summary>An address argument, normalised; null (after saying why on stderr) when it is not an address.</summary>
    public static string? AddressArgument(string? raw)
    {
        var normalized = EmailAddress.Normalize(raw);
        if (normalized is null) Console.Error.WriteLine($"'{raw}' is not an e-mail address.");
        return normalized;
    }

    /// <summary>The mailbox a command works on: the one named, or the only one stored.</summary>
    public static async Task<string?> ResolveMailboxAsync(MailStore store, string? requested, TextWriter error, CancellationToken ct)
    {
        var mailboxes = await new InteractionStore(store).ListMailboxesAsync(ct);
        if (requested is not null)
        {
            // Exact first (an imported folder's name keeps its case), then by the one mailbox-id rule.
            if ((mailboxes.FirstOrDefault(m => m.MailboxId == requested) ?? mailboxes.FirstOrDefault(m => m.MailboxId == MailboxId.Normalize(requested))) is { } found)
                return found.MailboxId;
            error.WriteLine($"No mailbox '{requested}' in this store. Stored: {string.Join(", ", mailboxes.Select(m => m.MailboxId).DefaultIfEmpty("none"))}.");
            return null;
        }
        if (mailboxes.Count == 1) return mailboxes[0].MailboxId;
        error.WriteLine(mailboxes.Count == 0
            ? "This store holds no mailbox yet. Run `mailrapport sample` (or scan/import) first."
            : $"This store holds several mailboxes; choose one with --mailbox: {string.Join(", ", mailboxes.Select(m => m.MailboxId))}.");
        return null;
    }
}

/// <summary>A command's host with the mailbox it works on.</summary>
public sealed record MailboxSession(CommandHost Host, string MailboxId) : IAsyncDisposable
{
    public MailStore Store => Host.Store;
    public ProfileService Profiles => Host.Profiles;
    public ValueTask DisposeAsync() => Host.DisposeAsync();
}

/// <summary>Options shared by several commands.</summary>
public static class CommonOptions
{
    public static readonly string DefaultDbPath = Path.Combine("data", "mailrapport.db");

    public static Option<string> Db() => new("--db")
    {
        Description = "SQLite file holding interactions and profiles.",
        DefaultValueFactory = _ => DefaultDbPath,
    };

    public static Option<string?> Mailbox() => new("--mailbox")
    {
        Description = "Mailbox id (default: the only stored mailbox).",
    };

    public static Option<DateTimeOffset?> AsOf() => new("--as-of")
    {
        Description = "Show the stages as they stood at this date (only what came before it counts). Default: now.",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var value))
                return value;
            result.AddError($"'{text}' is not a date (use e.g. 2001-06-01 or 2001-06-01T12:00Z).");
            return null;
        },
    };
}
