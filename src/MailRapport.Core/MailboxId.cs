namespace MailRapport.Core;

/// <summary>
/// The key a mailbox is stored, leased, throttled and scheduled under. A mailbox is named by an address (UPN,
/// configured or typed at the CLI) or a directory object id (GUID); both compare case-insensitively, so the key is
/// trimmed and lower-cased wherever a name enters, and "Ann@Contoso.com" and "ann@contoso.com" are one mailbox.
/// </summary>
public static class MailboxId
{
    /// <summary>The canonical key for a mailbox name; empty when the name is blank.</summary>
    public static string Normalize(string? name) => name?.Trim().ToLowerInvariant() ?? "";
}
