using System.Net;
using System.Net.Http.Headers;
using MailRapport.Server.Tests.Support;
using Microsoft.IdentityModel.Tokens;

namespace MailRapport.Server.Tests.Api;

/// <summary>Entra mode: only a valid v2 access token for an allowed tenant, this API and its scope gets in.</summary>
public sealed class SignInTests : IClassFixture<SignInTests.Host>
{
    public sealed class Host : IDisposable
    {
        public ServiceFactory Factory { get; } = new(entra: true);
        public void Dispose() => Factory.Dispose();
    }

    private readonly ServiceFactory factory;
    public SignInTests(Host host) => factory = host.Factory;

    public static TheoryData<string> BadTokens => new()
    {
        "forged", "expired", "not-yet-valid", "wrong-audience", "unlisted-tenant", "issuer-tenant-mismatch", "other-issuer",
        "unsigned", "alg-none", "alg-none-upper", "garbage", "empty-signature-hs256",
    };

    private string BadToken(string kind)
    {
        var alice = TestTokens.Alice;
        var tokens = factory.Tokens;
        return kind switch
        {
            "forged" => tokens.Mint(alice, key: TestTokens.NewKey("entra-key-1")), // same kid, another key
            "expired" => tokens.Mint(alice, d => { d.IssuedAt = DateTime.UtcNow.AddHours(-3); d.NotBefore = DateTime.UtcNow.AddHours(-3); d.Expires = DateTime.UtcNow.AddHours(-1); }),
            "not-yet-valid" => tokens.Mint(alice, d => { d.NotBefore = DateTime.UtcNow.AddHours(1); d.Expires = DateTime.UtcNow.AddHours(2); }),
            "wrong-audience" => tokens.Mint(alice, d => d.Audience = "api://someone-else"),
            "unlisted-tenant" => tokens.Mint(alice with { Tenant = TestTokens.UnlistedTenant }),
            "issuer-tenant-mismatch" => tokens.Mint(alice, tenantInIssuer: TestTokens.TenantB),
            "other-issuer" => tokens.Mint(alice, d => d.Issuer = $"https://evil.example.com/{TestTokens.TenantA}/v2.0"),
            "unsigned" => TestTokens.Unsigned(alice, alg: "RS256"),
            "alg-none" => TestTokens.Unsigned(alice),
            "alg-none-upper" => TestTokens.Unsigned(alice, alg: "None"),
            "garbage" => "not.a.token",
            "empty-signature-hs256" => TestTokens.Unsigned(alice, alg: "HS256"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Bad_tokens_get_401(string kind)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BadToken(kind));
        var response = await client.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task No_token_gets_401_as_problem_json()
    {
        var response = await factory.CreateClient().GetAsync("/api/contacts");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Token_without_the_scope_is_forbidden()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", factory.Tokens.Mint(TestTokens.Alice, d => d.Claims["scp"] = "User.Read"));
        var response = await client.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Valid_token_gets_in()
    {
        var response = await factory.ClientFor(TestTokens.Alice).GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_and_openapi_need_no_token()
    {
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        using var doc = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/contacts/{address}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/me/scan").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/me/data").TryGetProperty("delete", out _));
    }
}
