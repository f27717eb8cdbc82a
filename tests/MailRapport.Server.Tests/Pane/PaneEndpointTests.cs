using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailRapport.Server.Pane;
using MailRapport.Server.Tests.Support;
using MailRapport.Server.Auth;
using MailRapport.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Tests.Pane;

public sealed class PaneEndpointTests
{
    [Theory]
    [InlineData("/pane/taskpane.html", "text/html")]
    [InlineData("/pane/preview.html", "text/html")]
    [InlineData("/pane/js/taskpane.js", "text/javascript")]
    [InlineData("/pane/css/pane.css", "text/css")]
    [InlineData("/pane/assets/icon-80.png", "image/png")]
    [InlineData("/pane/vendor/msal-browser.min.js", "text/javascript")]
    public async Task Pane_files_are_served_without_a_token_even_in_entra_mode(string path, string contentType)
    {
        // Outlook loads the page before the user has signed in: only /api needs a token.
        using var factory = new ServiceFactory(entra: true);
        using var client = factory.CreateClient();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Theory]
    [InlineData("/pane/taskpane.html")]
    [InlineData("/pane/preview.html")]
    [InlineData("/pane/privacy.html")]
    public async Task Pane_pages_send_a_content_security_policy_and_no_inline_script(string path)
    {
        using var factory = new ServiceFactory(entra: true);
        using var client = factory.CreateClient();
        var response = await client.GetAsync(path);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray());
        Assert.Equal(["'self'", "https://appsforoffice.microsoft.com"], directives["script-src"]);
        Assert.Equal(["'none'"], directives["object-src"]);
        Assert.Contains("'self'", directives["frame-ancestors"]);
        Assert.Contains("https://*.office.com", directives["frame-ancestors"]);
        Assert.DoesNotContain(directives.Values.SelectMany(v => v), v => v is "*" or "'unsafe-inline'" or "'unsafe-eval'" or "data:" or "https:");
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
        // The page itself keeps to it: every script has a src, and no element carries an inline handler.
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex(@"<script(?![^>]*\bsrc=)[^>]*>", System.Text.RegularExpressions.RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex(@"\son[a-z]+\s*=", System.Text.RegularExpressions.RegexOptions.IgnoreCase), html);
    }

    [Fact]
    public async Task Config_in_entra_mode_names_the_app_and_the_api_scope()
    {
        using var factory = new ServiceFactory(entra: true);
        using var client = factory.CreateClient();
        var config = await client.GetFromJsonAsync<JsonElement>("/pane/config.json");
        Assert.False(config.GetProperty("localMode").GetBoolean());
        Assert.Equal(TestTokens.ClientId, config.GetProperty("clientId").GetString());
        Assert.Equal($"api://{TestTokens.ClientId}/access_as_user", config.GetProperty("apiScope").GetString());
    }

    [Fact]
    public async Task Config_in_local_mode_asks_for_no_sign_in_and_the_root_opens_the_preview()
    {
        using var factory = new ServiceFactory(entra: false);
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        var config = await client.GetFromJsonAsync<JsonElement>("/pane/config.json");
        Assert.True(config.GetProperty("localMode").GetBoolean());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("clientId").ValueKind);
        var root = await client.GetAsync("/");
        Assert.Equal("/pane/preview.html", root.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Unknown_pane_files_are_404_and_paths_cannot_escape_the_pane()
    {
        using var factory = new ServiceFactory(entra: false);
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/pane/nope.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/pane/..%2F..%2Fappsettings.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/pane/MailRapport.Server.Pane.wwwroot.taskpane.html")).StatusCode);
    }

    [Theory]
    [InlineData(null, null, null, "api://API-ID/access_as_user", "API-ID")]
    [InlineData("PANE-ID", null, null, "api://API-ID/access_as_user", "PANE-ID")]
    [InlineData(null, "api://rapport.contoso.com/API-ID", null, "api://rapport.contoso.com/API-ID/access_as_user", "API-ID")]
    [InlineData(null, null, "api://x/y/custom", "api://x/y/custom", "API-ID")]
    public void Entra_mode_scope_and_client_defaults(string? paneClient, string? audience, string? paneScope, string scope, string client)
    {
        const string apiId = "6a8f2c1e-0000-4000-8000-000000000001", paneId = "6a8f2c1e-0000-4000-8000-000000000002";
        var settings = new Dictionary<string, string?>
        {
            ["Service:Mode"] = "Entra", ["Entra:ClientId"] = apiId,
            ["Pane:ClientId"] = paneClient?.Replace("PANE-ID", paneId), ["Entra:Audiences:0"] = audience?.Replace("API-ID", apiId),
            ["Pane:ApiScope"] = paneScope,
        };
        var config = PaneConfigFor(settings);
        Assert.False(config.LocalMode);
        Assert.Equal(scope.Replace("API-ID", apiId), config.ApiScope);
        Assert.Equal(client.Replace("API-ID", apiId).Replace("PANE-ID", paneId), config.ClientId);
    }

    [Fact]
    public void Entra_mode_without_a_client_id_fails_at_start_with_a_clear_message()
    {
        var error = Assert.Throws<OptionsValidationException>(() => PaneConfigFor(new() { ["Service:Mode"] = "Entra" }));
        Assert.Contains("Pane:ClientId", error.Message);
    }

    /// <summary>The pane's configuration as the service composes it (options bound, checked, then read).</summary>
    private static PaneEndpoints.PaneConfig PaneConfigFor(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        HostMode.Of(builder);
        builder.Services.AddCheckedOptions<EntraOptions>(EntraOptions.Section);
        builder.AddPane();
        using var host = builder.Build();
        host.Services.GetRequiredService<IOptions<PaneOptions>>(); // checked on first read
        return host.Services.GetRequiredService<PaneEndpoints.PaneConfig>();
    }
}
