using Microsoft.Playwright;

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
        await page.WaitForSelectorAsync("#lists:not([data-state='loading'])", new() { Timeout = 15_000 });
        return page;
    }

    private static async Task<string[]> Addresses(IPage page, string section) =>
        await page.Locator($"{section} li").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.address)");

    [NeedsChromiumFact]
    public async Task Contacts_are_grouped_by_stage_with_a_needs_nurturing_list()
    {
        var page = await OpenAsync();
        Assert.Equal("ready", await page.GetAttributeAsync("#lists", "data-state"));
        Assert.Equal(["bob.chen@partner.example", "dave@old.example"], (await Addresses(page, "#needs-nurturing")).Order());
        Assert.Equal(["alice.martin@partner.example", "dave@old.example"], await Addresses(page, "#stage-relationship")); // by strength
        Assert.Equal(["bob.chen@partner.example"], await Addresses(page, "#stage-rapport"));
        Assert.Equal(["carol@client.example"], await Addresses(page, "#stage-contact"));
        Assert.Equal(["no-reply@news.example"], await Addresses(page, "#automated"));
        Assert.Contains("Relationship: 2", await page.Locator("#summary").InnerTextAsync());

        await page.ClickAsync("#stage-relationship li[data-address='alice.martin@partner.example'] button");
        await page.WaitForSelectorAsync("#card article[data-address='alice.martin@partner.example']");
        Assert.Equal("Alice Martin", (await page.Locator("#card h2").InnerTextAsync()).Trim());
        Assert.Equal("Relationship", (await page.Locator("#card .stage-relationship").InnerTextAsync()).Trim());
        Assert.Equal(12, await page.Locator("#card figure.chart svg > g").CountAsync());
        await PaneBrowserFixture.ScreenshotAsync(page, "preview");
    }

    [NeedsChromiumFact]
    public async Task Search_filters_by_name_or_address()
    {
        var page = await OpenAsync(width: 320);
        await page.FillAsync("#search", "CAROL");
        await page.WaitForSelectorAsync("#search-count");
        Assert.Equal("1 of 5 contacts match “CAROL”.", (await page.Locator("#search-count").InnerTextAsync()).Trim());
        Assert.Equal(["carol@client.example"], await Addresses(page, "#lists"));
        await page.FillAsync("#search", "partner.example");
        await page.WaitForFunctionAsync("() => document.querySelector('#search-count')?.textContent.startsWith('2 of 5')");
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
