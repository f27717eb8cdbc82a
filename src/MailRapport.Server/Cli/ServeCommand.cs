using System.CommandLine;

namespace MailRapport.Server.Cli;

/// <summary>Tells `mailrapport serve [--Section:Key=value ...]` (and no command at all) from the other commands.</summary>
public static class ServeCommand
{
    public static bool IsServe(string[] args) =>
        args.Length == 0 || args[0] == "serve" || (args[0].StartsWith("--", StringComparison.Ordinal) && args[0] is not ("--help" or "--version"));

    /// <summary>Listed in `mailrapport --help`; Program.cs starts the web host before the command line sees `serve`.</summary>
    public static Command Create()
    {
        var command = new Command("serve", "Run the service: REST API, Outlook pane, health checks and nightly scans (the default with no command). Settings as --Section:Key=value; see docs/service.md.");
        command.SetAction(_ => 0);
        return command;
    }

    /// <summary>
    /// The arguments the web host reads as configuration (without the command name). Settings are read once, at start
    /// (options are validated then): no reload on change, so the host sets no file watcher on its content root, which
    /// would see every write of the default SQLite store under data/ (an inotify event per page written).
    /// </summary>
    public static string[] HostArgs(string[] args) =>
        ["--hostBuilder:reloadConfigOnChange=false", .. args.Length > 0 && args[0] == "serve" ? args[1..] : args];
}
