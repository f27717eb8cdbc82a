using System.Text.Json;

namespace MailRapport.Server.Tests.Pane;

/// <summary>
/// Stand-ins for what Microsoft's CDN and MSAL serve in production: the tests answer office.js's URL with
/// this script, so the pane page is byte-for-byte the production one.
/// </summary>
public static class FakeOffice
{
    public const string CdnPattern = "https://appsforoffice.microsoft.com/**";

    /// <summary>A mailbox item as Office.js exposes it in read mode (from, to and cc as EmailAddressDetails).</summary>
    public sealed record Person(string EmailAddress, string DisplayName);
    public sealed record MailItem(Person From, Person[] To, Person[]? Cc = null, string Subject = "Hello");

    public static string Setup(MailItem? item, string owner, string? themeBackground = null) =>
        "window.__paneTest = " + JsonSerializer.Serialize(new { item, owner, theme = themeBackground is null ? null : new { bodyBackgroundColor = themeBackground } },
            new JsonSerializerOptions(JsonSerializerDefaults.Web)) + ";";

    // window.__selectItem(item) plays Outlook changing the selection under a pinned pane.
    public const string Script = """
        (function () {
          var test = window.__paneTest || {};
          var handlers = {};
          var mailbox = {
            item: test.item || null,
            userProfile: { emailAddress: test.owner, displayName: "Owner" },
            addHandlerAsync: function (type, handler, options, callback) {
              (handlers[type] = handlers[type] || []).push(handler);
              var cb = typeof options === "function" ? options : callback;
              if (cb) cb({ status: "succeeded" });
            }
          };
          window.Office = {
            EventType: { ItemChanged: "olkItemSelectedChanged", OfficeThemeChanged: "officeThemeChanged" },
            HostType: { Outlook: "Outlook" },
            context: { mailbox: mailbox, officeTheme: test.theme || undefined },
            onReady: function (callback) {
              var info = { host: "Outlook", platform: "OfficeOnline" };
              if (callback) setTimeout(function () { callback(info); }, 0);
              return Promise.resolve(info);
            }
          };
          window.__selectItem = function (item) {
            mailbox.item = item;
            (handlers["olkItemSelectedChanged"] || []).forEach(function (h) { h({ type: "olkItemSelectedChanged" }); });
          };
          window.__officeHandlers = handlers;
        })();
        """;

    /// <summary>An MSAL stand-in: silent sign-in fails, the first popup is cancelled, later popups succeed.</summary>
    public const string Msal = """
        (function () {
          var popups = 0;
          window.__msalCalls = [];
          window.msal = {
            createNestablePublicClientApplication: function (config) {
              window.__msalConfig = config;
              return Promise.resolve({
                acquireTokenSilent: function (request) { window.__msalCalls.push("silent:" + request.scopes.join(" ")); return Promise.reject(new Error("InteractionRequired")); },
                acquireTokenPopup: function (request) {
                  window.__msalCalls.push("popup:" + request.scopes.join(" "));
                  popups++;
                  if (popups === 1) return Promise.reject(new Error("user_cancelled"));
                  return Promise.resolve({ accessToken: "fake-token-for-test", expiresOn: new Date(Date.now() + 3600000) });
                }
              });
            }
          };
        })();
        """;
}
