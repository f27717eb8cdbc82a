using System.Net;
using System.Text.Json;
using Dapper;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace MailRapport.Server.Tests.Scheduling;

public sealed class SchedulerTests : IDisposable
{
    private readonly ServiceFactory factory = new(entra: false);
    public void Dispose() => factory.Dispose();

    private MailboxRegistry Registry => factory.Services.GetRequiredService<MailboxRegistry>();

    [Fact]
    public async Task Local_mailbox_is_scanned_at_first_start_and_me_says_so_while_it_runs()
    {
        factory.Scanner.Delay = TimeSpan.FromSeconds(2);
        var client = factory.CreateClient();
        using (var during = JsonDocument.Parse(await client.GetStringAsync("/api/me")))
        {
            Assert.Equal("sample", during.RootElement.GetProperty("mailbox").GetString());
            Assert.True(during.RootElement.GetProperty("firstScanPending").GetBoolean());
            Assert.True(during.RootElement.GetProperty("scanRunning").GetBoolean() || during.RootElement.GetProperty("scanQueued").GetBoolean());
        }
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") == 1);
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result?.ScanFinishedAt is not null);
        using var after = JsonDocument.Parse(await client.GetStringAsync("/api/me"));
        Assert.False(after.RootElement.GetProperty("firstScanPending").GetBoolean());
        Assert.False(after.RootElement.GetProperty("scanRunning").GetBoolean());
        Assert.True(after.RootElement.GetProperty("nextScanAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Scans_of_one_mailbox_never_overlap()
    {
        factory.Scanner.Delay = TimeSpan.FromMilliseconds(400);
        _ = factory.Server; // start
        var scheduler = factory.Services.GetRequiredService<MailboxScheduler>();
        await Registry.EnsureAsync("busy@example.com", MailboxOrigin.Configured);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => scheduler.ScanNowAsync("busy@example.com")));
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("busy@example.com") == 3);
        Assert.Equal(1, factory.Scanner.MaxOverlap);
    }

    [Fact]
    public async Task Scan_on_request_is_accepted_and_queued_once()
    {
        factory.Scanner.Delay = TimeSpan.FromSeconds(1);
        var client = factory.CreateClient();
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") == 1); // the first scan is running
        var first = await client.PostAsync("/api/me/scan", null);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/me/scan", null)).StatusCode);
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") == 2);
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result is { ScanRunning: false } s && !MailboxScheduler.IsQueued(s));
        Assert.Equal(2, factory.Scanner.CountFor("sample")); // the first scan, then one for both requests
    }

    [Fact]
    public async Task A_missed_night_is_caught_up_at_start_and_a_scanned_one_is_not()
    {
        factory.Settings["Scheduling:Mailboxes:0"] = "missed@example.com";
        factory.Settings["Scheduling:Mailboxes:1"] = "fresh@example.com";
        // The service was down over last night: the store says one mailbox was last scanned the night before.
        var previousNight = new CronExpression("0 0 2 * * ?", TimeZoneInfo.Utc).GetPreviousValidTimeBefore(DateTimeOffset.UtcNow)
            ?? throw new InvalidOperationException();
        await using (var store = MailStore.OpenSqlite(factory.Settings["Store:Path"]!))
        {
            await store.MigrateAsync();
            await using var connection = await store.OpenConnectionAsync();
            foreach (var (mailbox, finished) in new[] { ("missed@example.com", previousNight.AddDays(-1)), ("fresh@example.com", DateTimeOffset.UtcNow), ("sample", DateTimeOffset.UtcNow) })
                await connection.ExecuteAsync("""
                    INSERT INTO mailbox_registry (mailbox_id, origin, enrolled_at, scan_started_at, scan_finished_at, scan_running)
                    VALUES (@mailbox, 'configured', @at, @at, @at, 0)
                    """, new { mailbox, at = finished.ToUnixTimeMilliseconds() });
        }

        _ = factory.Server;
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("missed@example.com") == 1);
        await Task.Delay(1500);
        Assert.Equal(0, factory.Scanner.CountFor("fresh@example.com"));
        Assert.Equal(0, factory.Scanner.CountFor("sample"));
        var next = await factory.Services.GetRequiredService<MailboxScheduler>().NextNightlyAsync("fresh@example.com");
        Assert.Equal(previousNight.AddDays(1), next);
    }

    [Fact]
    public async Task The_cron_schedule_fires()
    {
        factory.Settings["Scheduling:NightlyCron"] = "0/1 * * * * ?"; // every second, to see it fire without waiting a night
        _ = factory.Server;
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") >= 3, TimeSpan.FromSeconds(20));
        Assert.Equal(1, factory.Scanner.MaxOverlap);
    }

    [Fact]
    public async Task Erasing_during_a_scan_leaves_nothing_behind()
    {
        factory.Scanner.Delay = TimeSpan.FromSeconds(1);
        var client = factory.CreateClient();
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result?.ScanRunning == true);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/me/data")).StatusCode);
        await Task.Delay(1500);
        await using var connection = await factory.Store.OpenConnectionAsync();
        foreach (var table in MailStore.MailboxTables)
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE mailbox_id = 'sample'"));
    }
}
