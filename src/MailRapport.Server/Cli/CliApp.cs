using System.CommandLine;

namespace MailRapport.Server.Cli;

/// <summary>The `mailrapport` command line. Each feature folder contributes its own command.</summary>
public static class CliApp
{
    public static RootCommand Create()
    {
        var root = new RootCommand("MailRapport: where you stand with each person you work with.");
        root.Add(SampleCommand.Create());
        root.Add(ContactsCommand.Create());
        root.Add(SummaryCommand.Create());
        root.Add(Pane.ManifestCommand.Create());
        root.SetAction((parse, ct) => LocalDemo.RunAsync(ct));
        return root;
    }

    public static Task<int> RunAsync(string[] args) => Create().Parse(args).InvokeAsync();
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
}
