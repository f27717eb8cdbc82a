using System.Text.Json;
using Microsoft.Playwright;
using static MailRapport.Server.Tests.Pane.PaneCast;

namespace MailRapport.Server.Tests.Pane;

/// <summary>The local preview page: contacts by stage, "needs nurturing", search and the contact card.</summary>
public sealed class PreviewBrowserTests(PaneBrowserFixture fx) : IClassFixture<PaneBrowserFixture>
{
    private async Task<IPage> OpenAsync(int width = 1024, Func<IPage, Task>? prepare = null, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await fx.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = 900 }, ColorScheme = scheme });
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

    private static double Number(JsonElement c, string obj, string property) =>
        c.TryGetProperty(obj, out var o) && o.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : -1;

    [NeedsChromiumFact]
    public async Task Overview_has_waiting_on_you_needs_nurturing_by_overdue_and_stages_month_by_month()
    {
        var page = await OpenAsync();
        // Waiting on you: every person with a waiting thread, the longest wait first, in the API's words.
        var waiting = fx.Cast.All.Where(c => !IsAutomated(c) && Number(c, "waitingOnYou", "threads") > 0).ToDictionary(c => Str(c, "address")!);
        Assert.NotEmpty(waiting);
        var shown = await Addresses(page, "#waiting-on-you");
        Assert.Equal(waiting.Keys.Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal));
        var waits = shown.Select(a => Number(waiting[a], "waitingOnYou", "oldestDays")).ToList();
        Assert.Equal(waits.OrderDescending(), waits);
        var first = waiting[shown[0]];
        Assert.Equal(Str(first.GetProperty("waitingOnYou"), "summary"), (await page.Locator($"#waiting-on-you li[data-address='{shown[0]}'] .detail").InnerTextAsync()).Trim());

        // Needs nurturing: the most overdue by the tie's own rhythm first.
        var nurture = fx.Cast.All.ToDictionary(c => Str(c, "address")!);
        var order = await Addresses(page, "#needs-nurturing");
        var overdue = order.Select(a => nurture[a].GetProperty("nextContact") is var n && n.GetProperty("known").GetBoolean() ? n.GetProperty("overdueFactor").GetDouble() : -1).ToList();
        Assert.Equal(overdue.OrderDescending(), overdue);
        Assert.Equal(Str(nurture[order[0]].GetProperty("nextContact"), "summary"), (await page.Locator($"#needs-nurturing li[data-address='{order[0]}'] .detail").InnerTextAsync()).Trim());

        // Stages month by month, as /api/stages/by-month says, with the same numbers as a table.
        using var http = new HttpClient();
        using var months = JsonDocument.Parse(await http.GetStringAsync(fx.BaseUrl + "/api/stages/by-month"));
        var list = months.RootElement.GetProperty("months").EnumerateArray().ToList();
        Assert.NotEmpty(list);
        Assert.Equal(list.Count, await page.Locator("#stage-chart svg > g").CountAsync());
        Assert.Equal(list.Count, await page.Locator("#stage-chart tbody tr").CountAsync());
        var last = list[^1];
        var cells = await page.Locator("#stage-chart tbody tr").Last.Locator("td").AllTextContentsAsync(); // in a closed <details>
        Assert.Equal(new[] { "contact", "rapport", "relationship" }.Select(k => last.GetProperty(k).GetInt32().ToString()), cells.Select(c => c.Trim()));
        Assert.Contains($"{last.GetProperty("relationship").GetInt32()} Relationship", await page.GetAttributeAsync("#stage-chart svg", "aria-label"));

        // The card opens from the waiting list with its follow-up lines.
        await page.ClickAsync($"#waiting-on-you li[data-address='{shown[0]}'] button");
        await page.WaitForSelectorAsync($"#card article[data-address='{shown[0]}'] li.waiting-you");
        await PaneBrowserFixture.ScreenshotAsync(page, "preview-overview");
    }

    public static TheoryData<int, string> Layouts => new() { { 320, "light" }, { 320, "dark" }, { 1280, "light" }, { 1280, "dark" } };

    [NeedsChromiumTheory]
    [MemberData(nameof(Layouts))]
    public async Task Preview_passes_an_axe_scan_with_a_card_open_and_while_searching(int width, string theme)
    {
        var page = await OpenAsync(width, scheme: theme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        Assert.True(await page.GetAttributeAsync("#lists", "data-state") == "ready", await page.InnerTextAsync("#lists"));
        await PaneBrowserFixture.AssertAccessibleAsync(page, $"preview at {width} px, {theme}");
        var lead = Str(fx.Cast.Lead, "address");
        await page.ClickAsync($"#stage-relationship li[data-address='{lead}'] button");
        await page.WaitForSelectorAsync($"#card article[data-address='{lead}'] section.feedback");
        await PaneBrowserFixture.AssertAccessibleAsync(page, $"preview with a card at {width} px, {theme}");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= width, $"the preview scrolls sideways at {width} px");
        if (width == 1280)
        {
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await PaneBrowserFixture.ScreenshotAsync(page, $"preview-{theme}", fullPage: false); // the first screen, for the docs
        }
        await page.FillAsync("#search", "zzz-nobody");
        await page.WaitForSelectorAsync("#search-count");
        await PaneBrowserFixture.AssertAccessibleAsync(page, $"preview searching at {width} px, {theme}");
        await page.Context.CloseAsync();
    }

    [NeedsChromiumFact]
    public async Task Keyboard_alone_reaches_the_waiting_list_and_opens_a_card()
    {
        var page = await OpenAsync(width: 320);
        var target = await page.Locator("#waiting-on-you li").First.GetAttributeAsync("data-address");
        for (var i = 0; i < 60 && await page.EvaluateAsync<string?>("() => document.activeElement?.closest('#waiting-on-you li')?.dataset.address ?? null") != target; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal(target, await page.EvaluateAsync<string?>("() => document.activeElement?.closest('#waiting-on-you li')?.dataset.address ?? null"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync($"#card article[data-address='{target}']");
        Assert.Equal("card-title", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Context.CloseAsync();
    }
}
