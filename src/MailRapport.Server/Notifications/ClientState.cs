using System.Security.Cryptography;
using System.Text;

namespace MailRapport.Server.Notifications;

/// <summary>
/// A subscription's client state: a random secret per subscription, sent to Graph once when the subscription is
/// created and echoed in every notification. Only its SHA-256 is stored, so the database alone cannot forge one.
/// </summary>
public static class ClientState
{
    /// <summary>32 random bytes, base64url: 43 characters (Graph allows 128).</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string? clientState) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(clientState ?? ""))).ToLowerInvariant();

    /// <summary>Whether the notification's client state hashes to the stored hash, in constant time.</summary>
    public static bool Matches(string? clientState, string? storedHash) =>
        clientState is { Length: > 0 and <= 256 } && storedHash is { Length: 64 } &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(clientState)), Encoding.ASCII.GetBytes(storedHash));
}
