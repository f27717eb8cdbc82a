using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace MailRapport.Server.Tests.Support;

/// <summary>An offline stand-in for Entra ID: an RSA signing key, its OpenID configuration, and token minting.</summary>
public sealed class TestTokens
{
    public const string ClientId = "11111111-2222-3333-4444-555555555555";
    public const string TenantA = "aaaaaaaa-0000-0000-0000-000000000001";
    public const string TenantB = "bbbbbbbb-0000-0000-0000-000000000002";
    public const string UnlistedTenant = "cccccccc-0000-0000-0000-000000000003";

    private readonly RsaSecurityKey signingKey = NewKey("entra-key-1");

    public static RsaSecurityKey NewKey(string id) => new(RSA.Create(2048)) { KeyId = id };

    /// <summary>What the service reads instead of login.microsoftonline.com's metadata.</summary>
    public IConfigurationManager<OpenIdConnectConfiguration> Metadata()
    {
        var config = new OpenIdConnectConfiguration { Issuer = "https://login.microsoftonline.com/{tenantid}/v2.0" };
        config.SigningKeys.Add(signingKey);
        return new StaticConfigurationManager<OpenIdConnectConfiguration>(config);
    }

    public sealed record User(string Tenant, string ObjectId, string Upn)
    {
        /// <summary>The mailbox a user enrolled on first sign-in gets: their object id (the directory user, not a name).</summary>
        public string MailboxId => ObjectId;
    }

    // Tenant A is the tenant the service scans (Graph:TenantId); tenant B is allowed to sign in but has no mailboxes here.
    public static readonly User Alice = new(TenantA, "0a11ce00-0000-0000-0000-000000000001", "alice@contoso.com");
    public static readonly User Bob = new(TenantA, "00b0b000-0000-0000-0000-000000000002", "bob@contoso.com");
    public static readonly User Carol = new(TenantA, "0ca401c0-0000-0000-0000-000000000003", "carol@contoso.com");
    /// <summary>A user of the other tenant, free to put any name in their own token.</summary>
    public static readonly User Mallory = new(TenantB, "0ba11ce0-0000-0000-0000-000000000004", "mallory@fabrikam.com");

    public string Mint(User user, Action<SecurityTokenDescriptor>? tweak = null, SecurityKey? key = null, string? tenantInIssuer = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = $"https://login.microsoftonline.com/{tenantInIssuer ?? user.Tenant}/v2.0",
            Audience = ClientId,
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddHours(1),
            Claims = new Dictionary<string, object>
            {
                ["tid"] = user.Tenant,
                ["oid"] = user.ObjectId,
                ["preferred_username"] = user.Upn,
                ["scp"] = "access_as_user",
                ["ver"] = "2.0",
            },
            SigningCredentials = new SigningCredentials(key ?? signingKey, SecurityAlgorithms.RsaSha256),
        };
        tweak?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>A token with header {"alg":"none"} and no signature.</summary>
    public static string Unsigned(User user, string alg = "none")
    {
        static string B64(string s) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(s));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var nbf = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        var header = $$"""{"alg":"{{alg}}","typ":"JWT"}""";
        var payload = $$"""{"iss":"https://login.microsoftonline.com/{{user.Tenant}}/v2.0","aud":"{{ClientId}}","tid":"{{user.Tenant}}","oid":"{{user.ObjectId}}","preferred_username":"{{user.Upn}}","scp":"access_as_user","nbf":{{nbf}},"exp":{{exp}}}""";
        return B64(header) + "." + B64(payload) + ".";
    }
}
