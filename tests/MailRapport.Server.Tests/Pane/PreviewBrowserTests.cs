using Microsoft.Playwright;
using static MailRapport.Server.Tests.Pane.PaneCast;

namespace MailRapport.Server.Tests.Pane;

/// <summary>The local preview page: contacts by stage, "needs nurturing", search and the contact card.</summary>
public sealed class PreviewBrowserTests(PaneBrowserFixture fx) : IClassFixture<PaneBrowserFixture>
{
    private async Task<IPage> OpenAsync(int width = 1024, Func<IPage, Task>? prepare = null)
    {
        var context = await fx.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = 900 } });
        var page = await context.NewPageAsync();
        if (prepare is not null) await prepare(page);
        await page.GotoAsync(fx.BaseUrl + "/pane/preview.html");
        await page.WaitForSelectorAsync("#lists:not([data-state='loading'])", new() { Timeout = 30_000 });
        return page;
    }

    private static async Task<string[]> Addresses(IPage page, string section) =>
        await page.Locator($"{section} li").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.address)");

    private string[] Expected(Func<System.Text.Json.JsonElement, bool> where) =>
        fx.Cast.All.Where(where).Select(c => Str(c, "address")!).Order(StringComparer.Ordinal).ToArray();

    [NeedsChromiumFact]
    public async Task Contacts_are_grouped_by_stage_with_a_needs_nurturing_list()
    {
        var page = await OpenAsync();
        Assert.Equal("ready", await page.GetAttributeAsync("#lists", "data-state"));
        var needsNurturing = Expected(c => !IsAutomated(c) && Str(c, "stage") is "rapport" or "relationship" && Str(c, "nurture") is "cooling" or "dormant");
        Assert.NotEmpty(needsNurturing);
        Assert.Equal(needsNurturing, (await Addresses(page, "#needs-nurturing")).Order(StringComparer.Ordinal));
        foreach (var stage in new[] { "relationship", "rapport", "contact" })
            Assert.Equal(Expected(c => !IsAutomated(c) && Str(c, "stage") == stage), (await Addresses(page, $"#stage-{stage}")).Order(StringComparer.Ordinal));
        Assert.Equal(Expected(IsAutomated), (await Addresses(page, "#automated")).Order(StringComparer.Ordinal));
        Assert.Contains($"Relationship: {fx.Cast.All.Count(c => Str(c, "stage") == "relationship")}", await page.Locator("#summary").InnerTextAsync());
        // What the mailbox holds, as /api/me says it, and no empty slot printed as "null".
        using (var http = new HttpClient())
        using (var me = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(fx.BaseUrl + "/api/me")))
        {
            var coverage = me.RootElement.GetProperty("coverage").GetProperty("summary").GetString();
            Assert.Contains("received mail stored", coverage);
            Assert.Equal($"What your mailbox holds: {coverage}.", (await page.Locator("#coverage").InnerTextAsync()).Trim());
        }
        Assert.DoesNotContain("null", await page.Locator("#summary").InnerTextAsync());

        var lead = Str(fx.Cast.Lead, "address");
        await page.ClickAsync($"#stage-relationship li[data-address='{lead}'] button");
        await page.WaitForSelectorAsync($"#card article[data-address='{lead}']");
        Assert.Equal(Name(fx.Cast.Lead), (await page.Locator("#card h2").InnerTextAsync()).Trim());
        Assert.Equal("Relationship", (await page.Locator("#card .stage-relationship").InnerTextAsync()).Trim());
        Assert.Equal(12, await page.Locator("#card figure.chart svg > g").CountAsync());
        await PaneBrowserFixture.ScreenshotAsync(page, "preview");
    }

    [NeedsChromiumFact]
    public async Task Search_filters_by_name_or_address()
    {
        var page = await OpenAsync(width: 320);
        var query = Str(fx.Cast.Contact, "displayName")!.ToUpperInvariant();
        var expected = Expected(c => Str(c, "address")!.Contains(query, StringComparison.OrdinalIgnoreCase)
            || (Str(c, "displayName") ?? "").Contains(query, StringComparison.OrdinalIgnoreCase));
        await page.FillAsync("#search", query);
        await page.WaitForSelectorAsync("#search-count");
        Assert.Equal($"{expected.Length} of {fx.Cast.All.Count} contacts match “{query}”.", (await page.Locator("#search-count").InnerTextAsync()).Trim());
        Assert.Equal(expected, (await Addresses(page, "#lists")).Distinct().Order(StringComparer.Ordinal));
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 320, "the preview scrolls sideways at 320 px");
        await PaneBrowserFixture.ScreenshotAsync(page, "preview-search");
    }

    [NeedsChromiumFact]
    public async Task Unreachable_service_is_clear_on_the_preview_too()
    {
        var page = await OpenAsync(prepare: p => p.RouteAsync("**/api/**", r => r.AbortAsync("connectionrefused")));
        Assert.Equal("unreachable", await page.GetAttributeAsync("#lists", "data-state"));
        Assert.Contains("Cannot reach MailRapport", await page.Locator("#lists h2").InnerTextAsync());
    }
}
