using System.Text.Json;
using Microsoft.Playwright;
using static MailRapport.Server.Tests.Pane.FakeOffice;

namespace MailRapport.Server.Tests.Pane;

/// <summary>The task pane in headless Chromium at 320 px: every state reached and asserted, each one screenshotted.</summary>
public sealed class PaneBrowserTests(PaneBrowserFixture fx) : IClassFixture<PaneBrowserFixture>
{
    private static readonly Person Alice = new("Alice.Martin@partner.example", "Alice Martin");
    private static readonly Person Bob = new("bob.chen@partner.example", "Bob Chen");
    private static readonly Person Carol = new("carol@client.example", "Carol Diaz");
    private static readonly Person Stranger = new("someone.new@elsewhere.example", "Someone New");
    private static readonly Person Mailer = new("no-reply@news.example", "Example News");
    private Person Me => new(fx.Owner, "Owner");

    private static async Task<string> Text(IPage page, string selector) => (await page.Locator(selector).InnerTextAsync()).Trim();

    [NeedsChromiumFact]
    public async Task Known_sender_shows_stage_nurture_meters_evidence_reasons_next_step_and_chart()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Me, Bob], [Carol, Stranger]));
        Assert.Equal("card", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Equal("Alice Martin", await Text(page, "#main h2"));
        Assert.Equal("Relationship", await Text(page, "#main .badges .stage-relationship"));
        Assert.Equal("Active", await Text(page, "#main .badges .nurture-active"));
        Assert.Equal("84", await page.GetAttributeAsync("#main [role=meter].harmony", "aria-valuenow"));
        Assert.Equal("72", await page.GetAttributeAsync("#main [role=meter].depth", "aria-valuenow"));
        var evidence = await Text(page, "#main ul.evidence");
        Assert.Contains("46 messages from you, 52 from them", evidence);
        Assert.Contains("19 shared threads", evidence);
        Assert.Contains("7 meetings, 6.5 h together", evidence);
        Assert.Contains("Replies: you in ~3 h, they in ~5 h", evidence);
        Assert.Contains("Last contact 3 days ago", evidence);
        Assert.Contains("7 meetings together (6.5 h)", await Text(page, "#main ul.reasons"));
        Assert.Contains("a short check-in", await Text(page, "#main .next-step"));
        Assert.Equal("Became Relationship in Sep 2025", await Text(page, "#main .history"));
        Assert.Equal(12, await page.Locator("#main figure.chart svg > g").CountAsync());
        Assert.Contains("last 12 months", await page.GetAttributeAsync("#main figure.chart svg", "aria-label"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-card");

        // The other people: the owner is left out, the stranger is "New", everyone else has a stage badge.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#people .badge-slot .badge').length === 3 && !document.querySelector('#people .badge-unknown')");
        var rows = await page.Locator("#people li").AllInnerTextsAsync();
        Assert.Equal(3, rows.Count);
        Assert.Contains(rows, r => r.Contains("Bob Chen") && r.Contains("Rapport"));
        Assert.Contains(rows, r => r.Contains("Carol Diaz") && r.Contains("Contact"));
        Assert.Contains(rows, r => r.Contains("Someone New") && r.Contains("New"));
        Assert.DoesNotContain(rows, r => r.Contains(fx.Owner));
        Assert.Equal("Open card for Bob Chen: Rapport, Cooling", await page.GetAttributeAsync("#people li[data-address='bob.chen@partner.example'] button", "aria-label"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-people");

        // Click opens their card; Back returns to the sender.
        await page.ClickAsync("#people li[data-address='bob.chen@partner.example'] button");
        await page.WaitForSelectorAsync("#main article[data-address='bob.chen@partner.example']");
        Assert.Equal("Cooling", await Text(page, "#main .badges .nurture-cooling"));
        Assert.Equal("Bob Chen", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-other-person");
        await page.ClickAsync("#main button.back");
        await page.WaitForSelectorAsync("#main article[data-address='alice.martin@partner.example']");
    }

    [NeedsChromiumFact]
    public async Task Keyboard_reaches_the_people_and_opens_a_card_with_enter()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Carol]));
        await page.WaitForSelectorAsync("#people li button");
        for (var i = 0; i < 10 && await page.EvaluateAsync<string?>("() => document.activeElement?.closest('#people') ? 'yes' : null") is null; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Contains("Carol Diaz", await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-label')"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#main article[data-address='carol@client.example']");
        Assert.Equal("Carol Diaz", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
    }

    [NeedsChromiumFact]
    public async Task Pinned_pane_follows_the_selection_on_item_changed()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Me]));
        Assert.Equal("Alice Martin", await Text(page, "#main h2"));
        await page.EvaluateAsync("json => window.__selectItem(JSON.parse(json))", ToJs(new MailItem(Bob, [Me])));
        await page.WaitForSelectorAsync("#main article[data-address='bob.chen@partner.example']");
        Assert.Equal("Rapport", await Text(page, "#main .badges .stage-rapport"));

        await page.EvaluateAsync("() => window.__selectItem(null)");
        Assert.Equal("no-item", await PaneBrowserFixture.WaitForStateAsync(page, "no-item"));
        Assert.Equal("Select a message", await Text(page, "#main h2"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-no-item");
    }

    [NeedsChromiumFact]
    public async Task Mail_the_owner_sent_shows_the_first_recipient()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Me, [Bob, Alice]));
        Assert.Equal("Bob Chen", await Text(page, "#main h2"));
        Assert.Contains("You sent this mail", await Text(page, "#context"));
    }

    [NeedsChromiumFact]
    public async Task Sender_never_seen_says_so()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Stranger, [Me]));
        Assert.Equal("never-seen", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Equal("Someone New", await Text(page, "#main h2"));
        Assert.Contains("no history with this person", await Text(page, "#main"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-never-seen");
    }

    [NeedsChromiumFact]
    public async Task Automated_sender_is_marked_with_the_reason_and_no_stage()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Mailer, [Me]));
        Assert.Equal("automated", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Equal("Automated sender", await Text(page, "#main .badge-automated"));
        Assert.Contains("List-Unsubscribe", await Text(page, "#main .automated-reason"));
        Assert.Equal(0, await page.Locator("#main [role=meter]").CountAsync());
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-automated");
    }

    [NeedsChromiumFact]
    public async Task Not_signed_in_offers_sign_in_and_the_token_reaches_the_api()
    {
        var authorization = new List<string>();
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Me]), prepare: async p =>
        {
            // Production settings: an Entra app and API scope, so the pane signs in through (stand-in) MSAL.
            await p.RouteAsync("**/pane/config.json", r => r.FulfillAsync(new()
            {
                ContentType = "application/json",
                Body = """{"localMode":false,"clientId":"11111111-2222-4333-8444-555555555555","apiScope":"api://localhost/11111111-2222-4333-8444-555555555555/access_as_user","authority":"https://login.microsoftonline.com/common","apiBase":"/api"}""",
            }));
            await p.RouteAsync("**/pane/vendor/msal-browser.min.js", r => r.FulfillAsync(new() { ContentType = "application/javascript", Body = Msal }));
            await p.RouteAsync("**/api/**", async r =>
            {
                lock (authorization) authorization.Add(r.Request.Headers.GetValueOrDefault("authorization") ?? "");
                await r.ContinueAsync();
            });
        });
        Assert.Equal("signed-out", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Equal("Sign in to MailRapport", await Text(page, "#main h2"));
        // Silent first, then one popup (cancelled here), and no API call without a token.
        const string scope = "api://localhost/11111111-2222-4333-8444-555555555555/access_as_user";
        var calls = await page.EvaluateAsync<string[]>("() => window.__msalCalls");
        Assert.Equal("silent:" + scope, calls[0]);
        Assert.Equal(1, calls.Count(c => c == "popup:" + scope));
        Assert.True(Array.IndexOf(calls, "popup:" + scope) > 0);
        lock (authorization) Assert.Empty(authorization);
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-signed-out");

        await page.ClickAsync("#main button.primary");
        Assert.Equal("card", await PaneBrowserFixture.WaitForStateAsync(page, "card"));
        lock (authorization) Assert.Contains("Bearer fake-token-for-test", authorization);
    }

    [NeedsChromiumFact]
    public async Task Service_unreachable_is_clear_and_retry_recovers()
    {
        var down = true;
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Me]), prepare: p => p.RouteAsync("**/api/**", r => down ? r.AbortAsync("connectionrefused") : r.ContinueAsync()));
        Assert.Equal("unreachable", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Equal("Cannot reach MailRapport", await Text(page, "#main h2"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-unreachable");
        down = false;
        await page.ClickAsync("#main button");
        Assert.Equal("card", await PaneBrowserFixture.WaitForStateAsync(page, "card"));
    }

    [NeedsChromiumFact]
    public async Task Server_error_shows_the_problem_detail()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Me]), prepare: p => p.RouteAsync("**/api/contacts/**", r => r.FulfillAsync(new()
        {
            Status = 500, ContentType = "application/problem+json",
            Body = """{"type":"about:blank","title":"Internal error","status":500,"detail":"The store is being upgraded; try again shortly."}""",
        })));
        Assert.Equal("error", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Equal("Something went wrong", await Text(page, "#main h2"));
        Assert.Equal("The store is being upgraded; try again shortly.", await Text(page, "#main .error-detail"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-error");
    }

    [NeedsChromiumFact]
    public async Task Unreadable_answer_is_an_error_not_a_crash()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Me]), prepare: p => p.RouteAsync("**/api/contacts/**", r => r.FulfillAsync(new()
        {
            Status = 200, ContentType = "application/json", Body = "{\"address\": <html>",
        })));
        Assert.Equal("error", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Contains("cannot read", await Text(page, "#main .error-detail"));
    }

    [NeedsChromiumFact]
    public async Task Loading_state_shows_while_the_api_answers()
    {
        var release = new TaskCompletionSource();
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Me]), waitForResult: false,
            prepare: p => p.RouteAsync("**/api/contacts/**", async r => { await release.Task; await r.ContinueAsync(); }));
        Assert.Equal("loading", await PaneBrowserFixture.WaitForStateAsync(page, "loading"));
        await page.WaitForSelectorAsync("#main .skeleton");
        Assert.Equal("true", await page.GetAttributeAsync("#main", "aria-busy"));
        Assert.Contains("Loading", await Text(page, "#main"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-loading");
        release.SetResult();
        Assert.Equal("card", await PaneBrowserFixture.WaitForStateAsync(page, "card"));
        Assert.Equal("false", await page.GetAttributeAsync("#main", "aria-busy"));
    }

    [NeedsChromiumFact]
    public async Task Office_dark_theme_is_followed_and_the_pane_fits_320_pixels()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Bob, Carol]), themeBackground: "#262626");
        Assert.Equal("dark", await page.GetAttributeAsync("html", "data-theme"));
        Assert.Equal("rgb(31, 31, 31)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        await page.WaitForFunctionAsync("() => !document.querySelector('#people .badge-unknown')");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 320, "the pane scrolls sideways at 320 px");
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-dark");
    }

    [NeedsChromiumFact]
    public async Task Without_an_office_theme_the_os_dark_preference_is_followed()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Alice, [Me]), scheme: ColorScheme.Dark);
        Assert.Null(await page.GetAttributeAsync("html", "data-theme"));
        Assert.Equal("rgb(31, 31, 31)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
    }

    [NeedsChromiumFact]
    public async Task Without_office_js_the_page_says_to_open_it_in_outlook()
    {
        var context = await fx.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 320, Height = 600 } });
        var page = await context.NewPageAsync();
        await page.RouteAsync(CdnPattern, r => r.AbortAsync("internetdisconnected"));
        await page.GotoAsync(fx.BaseUrl + "/pane/taskpane.html");
        await PaneBrowserFixture.WaitForStateAsync(page, "error");
        Assert.Equal("Open this pane in Outlook", await Text(page, "#main h2"));
    }

    private static string ToJs(MailItem item) => JsonSerializer.Serialize(item, new JsonSerializerOptions(JsonSerializerDefaults.Web));
}
