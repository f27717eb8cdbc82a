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
        await Assertions.Expect(page.Locator("table.js-jobs-table")).ToContainTextAsync("Scan sample");

        // One recurring job, and an operator can fire it.
        await page.GotoAsync(fx.BaseUrl + "/jobs/recurring");
        var row = page.Locator("table.js-jobs-table tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("nightly-scans");
        await row.Locator("input[type=checkbox]").CheckAsync();
        await page.ClickAsync("button.js-jobs-list-command:has-text('Trigger now')");
        await page.GotoAsync(fx.BaseUrl + "/jobs/jobs/succeeded");
        await Assertions.Expect(page.Locator("table.js-jobs-table")).ToContainTextAsync("Nightly scans", new() { Timeout = 30_000 });
        await PaneBrowserFixture.ScreenshotAsync(page, "dashboard");
    }
}
