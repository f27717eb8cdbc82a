using System.Net;
using MailRapport.Server.Tests.Support;

namespace MailRapport.Server.Tests.Scheduling;

/// <summary>Who may open the jobs dashboard in Entra mode.</summary>
public sealed class DashboardAccessTests
{
    private static HttpClient Client(ServiceFactory factory, string[]? roles)
    {
        var client = factory.CreateClient();
        if (roles is not null)
            client.DefaultRequestHeaders.Authorization = new("Bearer", factory.Tokens.Mint(TestTokens.Alice, d => d.Claims["roles"] = roles));
        return client;
    }

    [Fact]
    public async Task Entra_mode_serves_no_dashboard_unless_enabled()
    {
        using var factory = new ServiceFactory(entra: true);
        Assert.Equal(HttpStatusCode.NotFound, (await Client(factory, ["MailRapport.Admin"]).GetAsync("/jobs")).StatusCode);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(new string[0], HttpStatusCode.Forbidden)]
    [InlineData(new[] { "Something.Else" }, HttpStatusCode.Forbidden)]
    [InlineData(new[] { "MailRapport.Admin" }, HttpStatusCode.OK)]
    [InlineData(new[] { "MailRapport.Reader" }, HttpStatusCode.OK)]
    public async Task When_enabled_only_the_admin_or_reader_role_opens_it(string[]? roles, HttpStatusCode expected)
    {
        using var factory = new ServiceFactory(entra: true);
        factory.Settings["Scheduling:Dashboard:Enabled"] = "true";
        factory.Settings["Scheduling:Dashboard:ReaderRole"] = "MailRapport.Reader";
        Assert.Equal(expected, (await Client(factory, roles).GetAsync("/jobs")).StatusCode);
    }

    [Fact]
    public async Task A_reader_cannot_trigger_jobs_an_admin_can()
    {
        using var factory = new ServiceFactory(entra: true);
        factory.Settings["Scheduling:Dashboard:Enabled"] = "true";
        factory.Settings["Scheduling:Dashboard:ReaderRole"] = "MailRapport.Reader";
        var form = () => new FormUrlEncodedContent([new("jobs[]", "nightly-scans")]);
        var reader = Client(factory, ["MailRapport.Reader"]);
        reader.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");
        var refused = await reader.PostAsync("/jobs/recurring/trigger", form());
        Assert.False(refused.IsSuccessStatusCode, $"a reader triggered a job ({refused.StatusCode})");
        var admin = Client(factory, ["MailRapport.Admin"]);
        admin.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync("/jobs/recurring/trigger", form())).StatusCode);
    }
}
