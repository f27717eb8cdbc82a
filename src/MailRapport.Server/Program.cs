using MailRapport.Server.Cli;

// `mailrapport COMMAND ...` runs a command; with no command it runs the local default.
return await CliApp.RunAsync(args);
