using System.Text.Json.Nodes;
using MailRapport.Server.Tests.Pane;
using Microsoft.Playwright;
using static MailRapport.Server.Tests.Pane.FakeOffice;
using static MailRapport.Server.Tests.Pane.PaneCast;

namespace MailRapport.Server.Tests.Delegated;

/// <summary>The pane when the service lost the user's delegated grant: says so plainly and signs in again.</summary>
public sealed class PaneSignInTests(PaneBrowserFixture fx) : IClassFixture<PaneBrowserFixture>
{
    private const string ClientId = "11111111-2222-4333-8444-555555555555";
    private const string Scope = $"api://localhost/{ClientId}/access_as_user";

    /// <summary>MSAL stand-in: silent sign-in gives the old token; a popup records what it asked consent for and gives a fresh one.</summary>
    private const string Msal = """
        (function () {
          window.__msalCalls = [];
          window.msal = {
            createNestablePublicClientApplication: function () {
              return Promise.resolve({
                acquireTokenSilent: function (request) { window.__msalCalls.push("silent:" + request.scopes.join(" ")); return Promise.resolve({ accessToken: "old-token", expiresOn: new Date(Date.now() + 3600000) }); },
                acquireTokenPopup: function (request) {
                  window.__msalCalls.push("popup:" + request.scopes.join(" ") + "|consent:" + (request.extraScopesToConsent || []).join(" "));
                  return Promise.resolve({ accessToken: "fresh-token", expiresOn: new Date(Date.now() + 3600000) });
                }
              });
            }
          };
        })();
        """;

    [NeedsChromiumFact]
    public async Task Needs_sign_in_is_said_plainly_and_the_button_asks_consent_then_the_fresh_token_clears_it()
    {
        var meTokens = new List<string>();
        var page = await fx.OpenPaneAsync(new MailItem(Person(fx.Cast.Lead), [new Person(fx.Owner, "Me")]), prepare: async p =>
        {
            await p.RouteAsync("**/pane/config.json", r => r.FulfillAsync(new()
            {
                ContentType = "application/json",
                Body = $$"""{"localMode":false,"clientId":"{{ClientId}}","apiScope":"{{Scope}}","authority":"https://login.microsoftonline.com/common","apiBase":"/api"}""",
            }));
            await p.RouteAsync("**/pane/vendor/msal-browser.min.js", r => r.FulfillAsync(new() { ContentType = "application/javascript", Body = Msal }));
            await p.RouteAsync("**/api/me", async r =>
            {
                var token = r.Request.Headers.GetValueOrDefault("authorization") ?? "";
                lock (meTokens) meTokens.Add(token);
                // The service (local here) answers; the grant state is the one a delegated host would report for this token.
                var response = await r.FetchAsync();
                var me = JsonNode.Parse(await response.TextAsync())!.AsObject();
                var fresh = token == "Bearer fresh-token";
                me["needsSignIn"] = !fresh;
                me["signInReason"] = fresh ? null : "invalid_grant: AADSTS50173";
                await r.FulfillAsync(new() { Response = response, Body = me.ToJsonString() });
            });
        });
        await page.WaitForSelectorAsync("#banner .sign-in");
        Assert.Contains("can no longer read your mailbox", await page.Locator("#banner").InnerTextAsync());
        Assert.Equal("status", await page.GetAttributeAsync("#banner .sign-in", "role"));
        await PaneBrowserFixture.ScreenshotAsync(page, "pane-needs-sign-in");

        await page.ClickAsync("#banner button");
        await page.WaitForSelectorAsync("#banner .sign-in", new() { State = WaitForSelectorState.Detached });
        var calls = await page.EvaluateAsync<string[]>("() => window.__msalCalls");
        Assert.Contains($"popup:{Scope}|consent:https://graph.microsoft.com/Mail.ReadBasic https://graph.microsoft.com/Calendars.ReadBasic https://graph.microsoft.com/User.Read offline_access", calls);
        lock (meTokens) Assert.Equal("Bearer fresh-token", meTokens[^1]);
    }
}
