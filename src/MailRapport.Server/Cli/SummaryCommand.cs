using System.CommandLine;

namespace MailRapport.Server.Cli;

public static class SummaryCommand
{
    public static Command Create()
    {
        var command = new Command("summary", "TODO");
        command.SetAction(_ => 0);
        return command;
    }
}
