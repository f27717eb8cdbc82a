using Microsoft.Playwright;

namespace MailRapport.Server.Tests.Pane;

/// <summary>Hangfire's dashboard in the real service in local mode (loopback, no sign-in), in Chromium.</summary>
public sealed class DashboardBrowserTests(PaneBrowserFixture fx) : IClassFixture<PaneBrowserFixture>
{
    [NeedsChromiumFact]
    public async Task The_dashboard_shows_the_nightly_job_and_the_first_scan_and_can_trigger_a_night()
    {
        var context = await fx.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(fx.BaseUrl + "/jobs");
        Assert.Equal(200, response!.Status);
        Assert.Contains("MailRapport scans", await page.TitleAsync());

        // The first scan of the local mailbox ran at start (the fixture waited for it): it is listed as succeeded.
        await page.GotoAsync(fx.BaseUrl + "/jobs/jobs/succeeded");
        await Assertions.Expect(page.GetByText("Scan sample").First).ToBeVisibleAsync();

        // One recurring job, and an operator can fire it.
        await page.GotoAsync(fx.BaseUrl + "/jobs/recurring");
        var row = page.Locator("tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("nightly-scans");
        await row.Locator("input[type=checkbox]").CheckAsync();
        await page.ClickAsync("button:has-text('Trigger now')");
        // The dashboard reloads the page after the trigger's post: let that navigation finish before starting ours.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        // The triggered night runs in the background: reload the succeeded list until it shows up.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            try { await page.GotoAsync(fx.BaseUrl + "/jobs/jobs/succeeded"); }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline) { continue; } // a dashboard refresh interrupted it
        }
        while (await page.GetByText("Nightly scans").CountAsync() == 0 && DateTime.UtcNow < deadline);
        await Assertions.Expect(page.GetByText("Nightly scans").First).ToBeVisibleAsync();
        await PaneBrowserFixture.ScreenshotAsync(page, "dashboard");
    }
}
