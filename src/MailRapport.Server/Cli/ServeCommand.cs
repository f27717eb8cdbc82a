namespace MailRapport.Server.Cli;

/// <summary>Tells `mailrapport serve [--Section:Key=value ...]` (and no command at all) from the other commands.</summary>
public static class ServeCommand
{
    public static bool IsServe(string[] args) =>
        args.Length == 0 || args[0] == "serve" || (args[0].StartsWith("--", StringComparison.Ordinal) && args[0] is not ("--help" or "--version"));

    /// <summary>The arguments the web host reads as configuration (without the command name).</summary>
    public static string[] HostArgs(string[] args) => args.Length > 0 && args[0] == "serve" ? args[1..] : args;
}
