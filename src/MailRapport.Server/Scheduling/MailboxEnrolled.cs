namespace MailRapport.Server.Scheduling;

/// <summary>A feature that keeps something per mailbox (the Graph subscriptions) is told when a user's mailbox is enrolled.</summary>
public interface IMailboxEnrolled
{
    Task EnrolledAsync(string mailboxId, CancellationToken ct);
}
