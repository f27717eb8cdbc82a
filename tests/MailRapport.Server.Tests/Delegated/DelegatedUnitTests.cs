using System.ComponentModel.DataAnnotations;
using MailRapport.Server.Delegated;
using MailRapport.Server.Graph;
using MailRapport.Server.Tests.Support;
using Microsoft.Identity.Client;

namespace MailRapport.Server.Tests.Delegated;

public sealed class DelegatedOptionsTests
{
    private static List<string> Problems(GraphOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }

    [Theory]
    // Delegated mode is a confidential client even when Graph is a loopback stand-in: it needs the app's identity.
    [InlineData("http://127.0.0.1:9/v1.0", null, "s", "Graph:ClientId is required when Graph:Mode is Delegated")]
    [InlineData("http://127.0.0.1:9/v1.0", "c", null, "Set exactly one of Graph:ClientSecret or Graph:CertificatePath when Graph:Mode is Delegated")]
    [InlineData("http://graph.example.com/v1.0", "c", "s", "Graph:BaseUrl must use https")]
    public void Delegated_mode_names_the_missing_setting(string baseUrl, string? clientId, string? secret, string expected)
    {
        var options = new GraphOptions { Mode = GraphMode.Delegated, BaseUrl = baseUrl, TenantId = TestTokens.TenantA, ClientId = clientId, ClientSecret = secret };
        Assert.Contains(Problems(options), p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Application_mode_on_loopback_needs_nothing_and_delegated_mode_with_its_app_is_valid()
    {
        Assert.Empty(Problems(new GraphOptions { BaseUrl = "http://127.0.0.1:9/v1.0" }));
        Assert.Empty(Problems(new GraphOptions
        {
            Mode = GraphMode.Delegated, BaseUrl = "http://127.0.0.1:9/v1.0", TenantId = TestTokens.TenantA, ClientId = "c", ClientSecret = "s",
        }));
        Assert.Equal(["https://graph.microsoft.com/Mail.ReadBasic", "https://graph.microsoft.com/Calendars.ReadBasic", "https://graph.microsoft.com/User.Read"],
            new GraphOptions { BaseUrl = "http://127.0.0.1:9/v1.0" }.DelegatedScopes);
    }
}

public sealed class SignInNeededTests
{
    public static TheoryData<string, Exception, bool> Failures => new()
    {
        { "revoked or expired refresh token", new MsalUiRequiredException("invalid_grant", "AADSTS50173: The provided grant has expired"), true },
        { "consent withdrawn", new MsalServiceException("invalid_grant", "AADSTS65001: The user or administrator has not consented"), true },
        { "interaction required", new MsalServiceException("interaction_required", "AADSTS50076: MFA required"), true },
        { "no stored session", new MsalClientException(MsalError.OboCacheKeyNotInCacheError, "not in cache"), true },
        { "token endpoint down", new MsalServiceException("service_not_available", "503"), false },
        { "network", new HttpRequestException("connection refused"), false },
        { "bad client secret (the admin's to fix, not the user's)", new MsalServiceException("invalid_client", "AADSTS7000215"), false },
    };

    [Theory, MemberData(nameof(Failures))]
    public void Only_answers_the_user_can_fix_mark_the_mailbox(string what, Exception failure, bool needsSignIn)
    {
        Assert.True(needsSignIn == DelegatedTokens.SignInNeeded(failure) is not null, what);
    }
}
