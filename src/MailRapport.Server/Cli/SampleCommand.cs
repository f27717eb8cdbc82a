using System.CommandLine;

namespace MailRapport.Server.Cli;

public static class SampleCommand
{
    public static Command Create()
    {
        var command = new Command("sample", "TODO");
        command.SetAction(_ => 0);
        return command;
    }
}
