using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static MailRapport.Server.Tests.Pane.FakeOffice;

namespace MailRapport.Server.Tests.Pane;

/// <summary>One Chromium and one MailRapport host for all browser tests of a class.</summary>
public sealed class PaneBrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;
    private IPaneHost? host;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl => host!.BaseUrl;
    public string Owner => Cast.Owner;
    public PaneCast Cast { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(PaneTestEnvironment.Chromium)) return; // the tests skip themselves
        host = await LocalServiceHost.StartAsync();
        Cast = await PaneCast.LoadAsync(host);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = PaneTestEnvironment.Chromium,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        if (host is not null) await host.DisposeAsync();
    }

    /// <summary>A 320 px pane with the Office stand-in; <paramref name="prepare"/> may add routes before the page loads.</summary>
    public async Task<IPage> OpenPaneAsync(MailItem? item, string? themeBackground = null, ColorScheme scheme = ColorScheme.Light,
        Func<IPage, Task>? prepare = null, bool waitForResult = true, int width = 320)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = 900 }, ColorScheme = scheme });
        var page = await context.NewPageAsync();
        await page.RouteAsync(CdnPattern, route => route.FulfillAsync(new() { ContentType = "application/javascript", Body = Script }));
        await page.AddInitScriptAsync(Setup(item, Owner, themeBackground));
        if (prepare is not null) await prepare(page);
        await page.GotoAsync(BaseUrl + "/pane/taskpane.html");
        if (waitForResult) await WaitForStateAsync(page, "card", "never-seen", "automated", "signed-out", "unreachable", "error", "no-item");
        return page;
    }

    public static async Task<string> WaitForStateAsync(IPage page, params string[] states)
    {
        var selector = string.Join(", ", states.Select(s => $"#main[data-state='{s}']"));
        await page.WaitForSelectorAsync(selector, new() { Timeout = 15_000 });
        return (await page.GetAttributeAsync("#main", "data-state"))!;
    }

    /// <summary>
    /// An axe-core scan (Deque.AxeCore.Playwright) with no serious or critical violation, and no stray "null",
    /// "undefined" or "NaN" anywhere in the page's text.
    /// </summary>
    public static async Task AssertAccessibleAsync(IPage page, string state)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{state}: " + string.Join("; ", serious.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(5).Select(n => n.Html))}")));
        var text = await page.InnerTextAsync("body");
        Assert.False(System.Text.RegularExpressions.Regex.IsMatch(text, @"\b(null|undefined|NaN)\b"), $"{state}: stray text in \"{text}\"");
    }

    public static Task ScreenshotAsync(IPage page, string name, bool fullPage = true) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(PaneTestEnvironment.ScreenshotFolder, name + ".png"), FullPage = fullPage });
}
