namespace MailRapport.Server.Storage;

/// <summary>A mailbox whose interactions are stored: its id (UPN or local name) and the owner's addresses.</summary>
public sealed record StoredMailbox(string MailboxId, IReadOnlyList<string> OwnerAddresses, string? DisplayName, string Source, DateTimeOffset CreatedAt);
