using Microsoft.AspNetCore.DataProtection;
using Microsoft.Identity.Web.TokenCacheProviders;

namespace MailRapport.Server.Delegated;

/// <summary>
/// MSAL's token cache for the on-behalf-of sessions, one per mailbox in its grant row (the session key, which MSAL
/// suggests as the cache key, is the mailbox id), encrypted with Data Protection before it reaches the database.
/// Caches with no grant row (the app's own, never used for Graph here) are not kept.
/// </summary>
public sealed class GrantTokenCache(MailboxGrants grants, IDataProtectionProvider protection)
    : MsalAbstractTokenCacheProvider(null!)
{
    private readonly IDataProtector protector = protection.CreateProtector("MailRapport.MailboxGrants.TokenCache.v1");

    protected override async Task<byte[]?> ReadCacheBytesAsync(string cacheKey)
    {
        var stored = await grants.ReadTokenCacheAsync(cacheKey);
        return stored is null ? null : protector.Unprotect(Convert.FromBase64String(stored));
    }

    protected override Task WriteCacheBytesAsync(string cacheKey, byte[] bytes) =>
        grants.WriteTokenCacheAsync(cacheKey, Convert.ToBase64String(protector.Protect(bytes)));

    protected override Task RemoveKeyAsync(string cacheKey) => grants.WriteTokenCacheAsync(cacheKey, null);
}
