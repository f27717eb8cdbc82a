using System.Text.Json;
using Microsoft.Playwright;
using static MailRapport.Server.Tests.Pane.FakeOffice;
using static MailRapport.Server.Tests.Pane.PaneCast;

namespace MailRapport.Server.Tests.Pane;

/// <summary>
/// The task pane in headless Chromium at 320 px: every state reached and asserted against the API's own answer,
/// each one screenshotted into artifacts/screenshots.
/// </summary>
public sealed class PaneBrowserTests(PaneBrowserFixture fx) : IClassFixture<PaneBrowserFixture>
{
    private PaneCast Cast => fx.Cast;
    private Person Me => new(fx.Owner, "Me");
    private static readonly Person Stranger = new(PaneCast.Stranger, "Someone New");

    private static async Task<string> Text(IPage page, string selector) => (await page.Locator(selector).InnerTextAsync()).Trim();
    private static string Plural(long n, string one) => $"{n} {(n == 1 ? one : one + "s")}";
    private static string Address(JsonElement c) => Str(c, "address")!;

    [NeedsChromiumFact]
    public async Task Known_sender_shows_stage_nurture_meters_evidence_reasons_next_step_and_chart()
    {
        var lead = Cast.Lead;
        var evidence = lead.GetProperty("evidence");
        var page = await fx.OpenPaneAsync(new MailItem(Person(lead), [Me, Person(Cast.Rapport)], [Person(Cast.Contact), Stranger]));
        Assert.Equal("card", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Equal(Name(lead), await Text(page, "#main h2"));
        Assert.Equal(Label(Str(lead, "stage")), await Text(page, "#main .badges [class*='stage-']"));
        Assert.Equal(Label(Str(lead, "nurture")), await Text(page, "#main .badges [class*='nurture-']"));
        Assert.Equal(lead.GetProperty("harmony").GetInt32().ToString(), await page.GetAttributeAsync("#main [role=meter].harmony", "aria-valuenow"));
        Assert.Equal(lead.GetProperty("depth").GetInt32().ToString(), await page.GetAttributeAsync("#main [role=meter].depth", "aria-valuenow"));
        var lines = await Text(page, "#main ul.evidence");
        Assert.Contains($"{Plural(evidence.GetProperty("messagesSent").GetInt32(), "message")} from you, {evidence.GetProperty("messagesReceived").GetInt32()} from them", lines);
        Assert.Contains(Plural(evidence.GetProperty("sharedMeetings").GetInt32(), "meeting") + ", ", lines);
        Assert.Contains("Last contact ", lines);
        var reasons = await Text(page, "#main ul.reasons");
        foreach (var reason in lead.GetProperty("reasons").EnumerateArray()) Assert.Contains(reason.GetString()!, reasons);
        Assert.Equal(Str(lead, "nextStep"), await Text(page, "#main .next-step"));
        Assert.Equal(12, await page.Locator("#main figure.chart svg > g").CountAsync());
        Assert.Contains("last 12 months", await page.GetAttributeAsync("#main figure.chart svg", "aria-label"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-card");

        // The other people: the owner left out, the stranger "New", everyone else with their stage badge.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#people .badge-slot .badge').length === 3 && !document.querySelector('#people .badge-unknown')");
        Assert.Equal(3, await page.Locator("#people li").CountAsync());
        Assert.Equal(0, await page.Locator($"#people li[data-address='{fx.Owner}']").CountAsync());
        Assert.Equal(Label(Str(Cast.Rapport, "stage")), await Text(page, $"#people li[data-address='{Address(Cast.Rapport)}'] .badge"));
        Assert.Equal(Label(Str(Cast.Contact, "stage")), await Text(page, $"#people li[data-address='{Address(Cast.Contact)}'] .badge"));
        Assert.Equal("New", await Text(page, $"#people li[data-address='{PaneCast.Stranger}'] .badge"));
        // Read as seen: a hidden lead-in, the visible name, address and badge, then the nurture.
        Assert.StartsWith($"Open card for {Name(Cast.Rapport)}", await page.Locator($"#people li[data-address='{Address(Cast.Rapport)}'] button").TextContentAsync());
        Assert.Equal($": Rapport, {Label(Str(Cast.Rapport, "nurture"))}", await Text(page, $"#people li[data-address='{Address(Cast.Rapport)}'] .sr-status"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-people");

        // A click opens their card; Back returns to the sender.
        await page.ClickAsync($"#people li[data-address='{Address(Cast.Rapport)}'] button");
        await page.WaitForSelectorAsync($"#main article[data-address='{Address(Cast.Rapport)}']");
        Assert.Equal(Label(Str(Cast.Rapport, "nurture")), await Text(page, "#main .badges [class*='nurture-']"));
        Assert.Equal(Name(Cast.Rapport), await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-other-person");
        await page.ClickAsync("#main button.back");
        await page.WaitForSelectorAsync($"#main article[data-address='{Address(lead)}']");
    }

    [NeedsChromiumFact]
    public async Task Keyboard_reaches_the_people_and_opens_a_card_with_enter()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Person(Cast.Contact)]));
        await page.WaitForSelectorAsync("#people li button");
        for (var i = 0; i < 10 && await page.EvaluateAsync<string?>("() => document.activeElement?.closest('#people') ? 'yes' : null") is null; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Contains(Name(Cast.Contact), await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync($"#main article[data-address='{Address(Cast.Contact)}']");
        Assert.Equal(Name(Cast.Contact), await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
    }

    [NeedsChromiumFact]
    public async Task Pinned_pane_follows_the_selection_on_item_changed()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]));
        Assert.Equal(Name(Cast.Lead), await Text(page, "#main h2"));
        Assert.Single(await page.EvaluateAsync<string[]>("() => Object.keys(window.__officeHandlers).filter(k => k === 'olkItemSelectedChanged')"));
        await page.EvaluateAsync("json => window.__selectItem(JSON.parse(json))", ToJs(new MailItem(Person(Cast.Rapport), [Me])));
        await page.WaitForSelectorAsync($"#main article[data-address='{Address(Cast.Rapport)}']");
        Assert.Equal("Rapport", await Text(page, "#main .badges .stage-rapport"));

        await page.EvaluateAsync("() => window.__selectItem(null)");
        Assert.Equal("no-item", await PaneBrowserFixture.WaitForStateAsync(page, "no-item"));
        Assert.Equal("Select a message", await Text(page, "#main h2"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-no-item");
    }

    [NeedsChromiumFact]
    public async Task Mail_the_owner_sent_shows_the_first_recipient()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Me, [Person(Cast.Rapport), Person(Cast.Lead)]));
        Assert.Equal(Name(Cast.Rapport), await Text(page, "#main h2"));
        Assert.Contains("You sent this mail", await Text(page, "#context"));
    }

    [NeedsChromiumFact]
    public async Task First_scan_running_is_announced_above_the_card()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), prepare: p => p.RouteAsync("**/api/me", async r =>
        {
            var response = await r.FetchAsync();
            var me = System.Text.Json.Nodes.JsonNode.Parse(await response.TextAsync())!.AsObject();
            me["firstScanPending"] = true; // the real service finished its first scan before the tests began
            await r.FulfillAsync(new() { Response = response, Body = me.ToJsonString() });
        }));
        await page.WaitForSelectorAsync("#banner .first-scan");
        Assert.Contains("scanned for the first time", await Text(page, "#banner"));
        Assert.Equal("status", await page.GetAttributeAsync("#banner", "role"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-first-scan");
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
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Automated), [Me]));
        Assert.Equal("automated", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Equal("Automated sender", await Text(page, "#main .badge-automated"));
        if (Str(Cast.Automated, "automatedReason") is { } reason)
            Assert.Contains(reason, await Text(page, "#main .automated-reason"));
        Assert.Equal(0, await page.Locator("#main [role=meter]").CountAsync());
        Assert.Equal(0, await page.Locator("#main [class*='stage-']").CountAsync());
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-automated");
    }

    [NeedsChromiumFact]
    public async Task Not_signed_in_offers_sign_in_and_the_token_reaches_the_api()
    {
        const string scope = "api://localhost/11111111-2222-4333-8444-555555555555/access_as_user";
        var authorization = new List<string>();
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), prepare: async p =>
        {
            // Production settings (an Entra app and API scope): the pane signs in through (stand-in) MSAL.
            await p.RouteAsync("**/pane/config.json", r => r.FulfillAsync(new()
            {
                ContentType = "application/json",
                Body = $$"""{"localMode":false,"clientId":"11111111-2222-4333-8444-555555555555","apiScope":"{{scope}}","authority":"https://login.microsoftonline.com/common","apiBase":"/api"}""",
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
        var calls = await page.EvaluateAsync<string[]>("() => window.__msalCalls");
        Assert.Equal("silent:" + scope, calls[0]);
        Assert.Equal(1, calls.Count(c => c == "popup:" + scope));
        lock (authorization) Assert.Empty(authorization);
        Assert.Equal("11111111-2222-4333-8444-555555555555", await page.EvaluateAsync<string>("() => window.__msalConfig.auth.clientId"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-signed-out");

        await page.ClickAsync("#main button.primary");
        Assert.Equal("card", await PaneBrowserFixture.WaitForStateAsync(page, "card"));
        lock (authorization) Assert.Contains("Bearer fake-token-for-test", authorization);
    }

    [NeedsChromiumFact]
    public async Task Service_unreachable_is_clear_and_retry_recovers()
    {
        var down = true;
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), prepare: p => p.RouteAsync("**/api/**", r => down ? r.AbortAsync("connectionrefused") : r.ContinueAsync()));
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
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), prepare: p => p.RouteAsync("**/api/contacts/**", r => r.FulfillAsync(new()
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
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), prepare: p => p.RouteAsync("**/api/contacts/**", r => r.FulfillAsync(new()
        {
            Status = 200, ContentType = "application/json", Body = "{\"address\": <html>",
        })));
        Assert.Equal("error", await page.GetAttributeAsync("#main", "data-state"));
        Assert.Contains("cannot read", await Text(page, "#main .error-detail"));
    }

    [NeedsChromiumFact]
    public async Task Hostile_names_from_mail_headers_stay_text()
    {
        var page = await fx.OpenPaneAsync(new MailItem(new Person("evil@elsewhere.example", "<img src=x onerror=\"window.__pwned=1\">Eve"), [Me]));
        Assert.Equal("never-seen", await page.GetAttributeAsync("#main", "data-state"));
        Assert.StartsWith("<img", await Text(page, "#main h2"));
        Assert.Equal(0, await page.Locator("#main img").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => !!window.__pwned"));
    }

    [NeedsChromiumFact]
    public async Task Loading_state_shows_while_the_api_answers()
    {
        var release = new TaskCompletionSource();
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), waitForResult: false,
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
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Person(Cast.Rapport), Person(Cast.Contact)]), themeBackground: "#262626");
        Assert.Equal("dark", await page.GetAttributeAsync("html", "data-theme"));
        Assert.Equal("rgb(31, 31, 31)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        await page.WaitForFunctionAsync("() => !document.querySelector('#people .badge-unknown')");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 320, "the pane scrolls sideways at 320 px");
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-dark");
    }

    [NeedsChromiumFact]
    public async Task Office_light_theme_wins_over_a_dark_os()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), themeBackground: "#FFFFFF", scheme: ColorScheme.Dark);
        Assert.Equal("light", await page.GetAttributeAsync("html", "data-theme"));
        Assert.Equal("rgb(255, 255, 255)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
    }

    [NeedsChromiumFact]
    public async Task Without_an_office_theme_the_os_dark_preference_is_followed()
    {
        var page = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), scheme: ColorScheme.Dark);
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

    // ---- issue 14: follow-up lines, "Is this right?", accessibility ----

    private static bool Has(JsonElement c, string property) =>
        c.TryGetProperty(property, out var w) && w.TryGetProperty("threads", out var t) && t.GetInt32() > 0;

    private async Task<JsonElement> DetailAsync(string address)
    {
        using var http = new HttpClient();
        return JsonDocument.Parse(await http.GetStringAsync($"{fx.BaseUrl}/api/contacts/{Uri.EscapeDataString(address)}")).RootElement.Clone();
    }

    [NeedsChromiumFact]
    public async Task Card_shows_who_is_waiting_the_rhythm_and_drift_as_the_api_words_them()
    {
        var waiting = Cast.All.Where(c => !IsAutomated(c) && Has(c, "waitingOnYou") && Str(c, "displayName") is not null)
            .OrderByDescending(c => c.GetProperty("strength").GetDouble()).First();
        var profile = await DetailAsync(Address(waiting));
        var page = await fx.OpenPaneAsync(new MailItem(Person(profile), [Me]));
        Assert.Equal("card", await page.GetAttributeAsync("#main", "data-state"));
        var you = Str(profile.GetProperty("waitingOnYou"), "summary")!;
        Assert.StartsWith("Waiting on you: ", you);
        Assert.Equal(you, await Text(page, "#main ul.follow-up li.waiting-you"));
        Assert.Equal(Str(profile.GetProperty("nextContact"), "summary"), await Text(page, "#main ul.follow-up li.rhythm"));
        Assert.Equal(Str(profile.GetProperty("waitingOnThem"), "summary") is null ? 0 : 1, await page.Locator("#main li.waiting-them").CountAsync());
        foreach (var (side, css) in new[] { ("theirs", "drift-theirs"), ("mine", "drift-mine") })
        {
            var drift = Str(profile.GetProperty("replyDrift").GetProperty(side), "summary");
            Assert.Equal(drift is null ? 0 : 1, await page.Locator($"#main li.{css}").CountAsync());
            if (drift is not null) Assert.Equal(drift, await Text(page, $"#main li.{css}"));
        }
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-follow-up");

        // The lead's card at desktop width: its rhythm line, as the API says.
        var lead = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), width: 1024);
        Assert.Equal(Str(Cast.Lead.GetProperty("nextContact"), "summary"), await Text(lead, "#main ul.follow-up li.rhythm"));
    }

    [NeedsChromiumFact]
    public async Task Is_this_right_stores_one_click_by_keyboard_and_not_a_person_sets_the_address_apart_until_undone()
    {
        // A person no other test opens: "not a person" changes their stage for the whole service.
        var used = new[] { Cast.Lead, Cast.Rapport, Cast.Contact }.Select(Address).ToHashSet();
        var person = Cast.All.Where(c => !IsAutomated(c) && Str(c, "stage") == "contact" && Str(c, "displayName") is not null && !used.Contains(Address(c)))
            .OrderByDescending(c => c.GetProperty("strength").GetDouble()).First();
        var address = Address(person);
        using var http = new HttpClient { BaseAddress = new Uri(fx.BaseUrl) };
        var page = await fx.OpenPaneAsync(new MailItem(Person(person), [Me]));
        Assert.Equal("Is this right?", (await page.Locator("#main section.feedback h3").TextContentAsync())?.Trim()); // shown in capitals by CSS
        Assert.Equal(4, await page.Locator("#main .feedback-buttons button[aria-pressed='false']").CountAsync());

        // Keyboard only: Tab to "Closer than this", Enter.
        for (var i = 0; i < 40 && await page.EvaluateAsync<string?>("() => document.activeElement?.dataset?.answer ?? null") != "closer"; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal("closer", await page.EvaluateAsync<string?>("() => document.activeElement?.dataset?.answer ?? null"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#main button[data-answer='closer'][aria-pressed='true']");
        Assert.Contains("Closer than this", await Text(page, "#main .feedback-status"));
        using (var stored = JsonDocument.Parse(await http.GetStringAsync($"/api/contacts/{address}/feedback")))
        {
            Assert.Equal("closer", stored.RootElement.GetProperty("answer").GetString());
            Assert.Equal("contact", stored.RootElement.GetProperty("shownStage").GetString());
        }
        // Opened again, the card shows the stored answer.
        var again = await fx.OpenPaneAsync(new MailItem(Person(person), [Me]));
        await again.WaitForSelectorAsync("#main button[data-answer='closer'][aria-pressed='true']");
        await PaneBrowserFixture.AssertAccessibleAsync(again, "card with an answer");
        await PaneBrowserFixture.ScreenshotAsync(again, "pane-feedback");

        // "Not a person": the card becomes the automated one at once; Undo gives the stage back.
        await again.ClickAsync("#main button[data-answer='notAPerson']");
        Assert.Equal("automated", await PaneBrowserFixture.WaitForStateAsync(again, "automated"));
        await again.WaitForSelectorAsync("#main .feedback-undo button");
        Assert.Contains("You said this is not a person.", await Text(again, "#main .feedback-undo"));
        using (var contact = JsonDocument.Parse(await http.GetStringAsync($"/api/contacts/{address}")))
            Assert.Contains("you marked this address as automated", Str(contact.RootElement, "automatedReason"));
        await PaneBrowserFixture.AssertAccessibleAsync(again, "automated by the user's answer");
        await again.ClickAsync("#main .feedback-undo button");
        Assert.Equal("card", await PaneBrowserFixture.WaitForStateAsync(again, "card"));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await http.GetAsync($"/api/contacts/{address}/feedback")).StatusCode);
    }

    public static TheoryData<int, string> Layouts => new() { { 320, "light" }, { 320, "dark" }, { 1024, "light" }, { 1024, "dark" } };

    [NeedsChromiumTheory]
    [MemberData(nameof(Layouts))]
    public async Task Every_pane_state_passes_an_axe_scan_with_no_stray_text(int width, string theme)
    {
        var background = theme == "dark" ? "#262626" : "#FFFFFF";
        async Task Check(MailItem? item, string state, Func<IPage, Task>? prepare = null)
        {
            var page = await fx.OpenPaneAsync(item, themeBackground: background, prepare: prepare, width: width);
            Assert.Equal(state, await page.GetAttributeAsync("#main", "data-state"));
            if (state == "card") await page.WaitForFunctionAsync("() => !document.querySelector('#people .badge-unknown')");
            await PaneBrowserFixture.AssertAccessibleAsync(page, $"{state} at {width} px, {theme}");
            Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= width, $"{state} scrolls sideways at {width} px");
            await page.Context.CloseAsync();
        }
        await Check(new MailItem(Person(Cast.Lead), [Me, Person(Cast.Rapport)], [Person(Cast.Contact), Stranger]), "card");
        await Check(new MailItem(Stranger, [Me]), "never-seen");
        await Check(new MailItem(Person(Cast.Automated), [Me]), "automated");
        await Check(null, "no-item");
        await Check(new MailItem(Person(Cast.Lead), [Me]), "unreachable", p => p.RouteAsync("**/api/**", r => r.AbortAsync("connectionrefused")));
        await Check(new MailItem(Person(Cast.Lead), [Me]), "error", p => p.RouteAsync("**/api/contacts/**", r => r.FulfillAsync(new()
        {
            Status = 500, ContentType = "application/problem+json", Body = """{"title":"Internal error","status":500,"detail":"Try again shortly."}""",
        })));
        await Check(new MailItem(Person(Cast.Lead), [Me]), "signed-out", async p =>
        {
            await p.RouteAsync("**/pane/config.json", r => r.FulfillAsync(new()
            {
                ContentType = "application/json",
                Body = """{"localMode":false,"clientId":"11111111-2222-4333-8444-555555555555","apiScope":"api://x/access_as_user","authority":"https://login.microsoftonline.com/common","apiBase":"/api"}""",
            }));
            await p.RouteAsync("**/pane/vendor/msal-browser.min.js", r => r.FulfillAsync(new() { ContentType = "application/javascript", Body = Msal }));
        });
        var release = new TaskCompletionSource();
        var loading = await fx.OpenPaneAsync(new MailItem(Person(Cast.Lead), [Me]), themeBackground: background, waitForResult: false, width: width,
            prepare: p => p.RouteAsync("**/api/contacts/**", async r => { await release.Task; await r.ContinueAsync(); }));
        await PaneBrowserFixture.WaitForStateAsync(loading, "loading");
        await PaneBrowserFixture.AssertAccessibleAsync(loading, $"loading at {width} px, {theme}");
        release.SetResult();
        await loading.Context.CloseAsync();
    }

    private static string ToJs(MailItem item) => JsonSerializer.Serialize(item, new JsonSerializerOptions(JsonSerializerDefaults.Web));
}
