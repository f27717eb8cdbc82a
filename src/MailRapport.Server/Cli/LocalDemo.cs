namespace MailRapport.Server.Cli;

/// <summary>The embedded default: the sample mailbox in a local SQLite store, contacts by stage.</summary>
public static class LocalDemo
{
    public static Task<int> RunAsync(CancellationToken ct) => Task.FromResult(0);
}
