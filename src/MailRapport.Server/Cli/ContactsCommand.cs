using System.CommandLine;

namespace MailRapport.Server.Cli;

public static class ContactsCommand
{
    public static Command Create()
    {
        var command = new Command("contacts", "TODO");
        command.SetAction(_ => 0);
        return command;
    }
}
