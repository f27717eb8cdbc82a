using System.Net;
using System.Text.Json;
using Dapper;
using Hangfire;
using Hangfire.Storage;
using MailRapport.Server.Graph;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Support;
using MailRapport.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Kiota.Abstractions;

namespace MailRapport.Server.Tests.Scheduling;

/// <summary>The scheduler in-process on Hangfire (local mode: in-memory job storage, SQLite store), with a recording scanner.</summary>
public sealed class SchedulerTests : IDisposable
{
    private readonly ServiceFactory factory = new(entra: false);
    public void Dispose() => factory.Dispose();

    private MailboxRegistry Registry => factory.Services.GetRequiredService<MailboxRegistry>();
    private IMonitoringApi Monitoring => factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();

    [Fact]
    public async Task Local_mailbox_is_scanned_at_first_start_and_me_says_so_while_it_runs()
    {
        factory.Scanner.Hold();
        var client = factory.CreateClient();
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") == 1); // the first scan is running, held
        var during = await client.GetBodyAsync<MeBody>("/api/me");
        Assert.Equal(("sample", true, true), (during.Mailbox, during.FirstScanPending, during.ScanRunning));
        factory.Scanner.Release();
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result?.ScanFinishedAt is not null);
        var after = await client.GetBodyAsync<MeBody>("/api/me");
        Assert.Equal((false, false), (after.FirstScanPending, after.ScanRunning));
        Assert.True(after.NextScanAt > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Scans_of_one_mailbox_never_overlap_even_when_jobs_are_queued_around_the_registry()
    {
        factory.Settings["Scheduling:MaxConcurrentScans"] = "3";
        _ = factory.Server; // start
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") == 1);
        await factory.WaitForJobsIdleAsync();
        long succeededBefore = Monitoring.SucceededListCount();
        factory.Scanner.Hold();
        await Registry.EnsureAsync("busy@example.com", MailboxOrigin.Configured);
        // Three jobs straight into Hangfire (as a retry, a re-delivered job and a new request could be): the lease serialises them.
        var jobs = factory.Services.GetRequiredService<IBackgroundJobClient>();
        for (int i = 0; i < 3; i++)
            jobs.Enqueue<ScanJob>(j => j.ScanAsync("busy@example.com", null, null, CancellationToken.None));
        // While one scan is held, the other two jobs run, find the mailbox leased and hand themselves to that scan
        // (they finish without scanning); it scans once more when it ends, for both of them.
        await factory.Scanner.WaitForAsync(() => Monitoring.SucceededListCount() >= succeededBefore + 2);
        Assert.Equal(1, factory.Scanner.CountFor("busy@example.com"));
        Assert.True((await Registry.GetAsync("busy@example.com"))!.ScanRescan);
        factory.Scanner.Release();
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("busy@example.com") == 2);
        await factory.WaitForJobsIdleAsync();
        Assert.Equal(2, factory.Scanner.CountFor("busy@example.com"));
        Assert.Equal(1, factory.Scanner.MaxOverlap);
        Assert.True((await Registry.GetAsync("busy@example.com"))! is { ScanRunning: false, ScanQueued: false, ScanRescan: false });
    }

    [Fact]
    public async Task Scan_on_request_is_accepted_and_queued_once()
    {
        factory.Scanner.Hold();
        var client = factory.CreateClient();
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") == 1); // the first scan is running, held
        var first = await client.PostAsync("/api/me/scan", null);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/me/scan", null)).StatusCode);
        Assert.True((await Registry.GetAsync("sample"))!.ScanQueued);
        factory.Scanner.Release();
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") == 2);
        await factory.WaitForJobsIdleAsync();
        Assert.Equal(2, factory.Scanner.CountFor("sample")); // the first scan, then one for both requests
    }

    /// <summary>Issue 9.3: "one scan queued" was a check-then-act race in the endpoint (26 scans from one flood).</summary>
    [Fact]
    public async Task Two_hundred_concurrent_scan_requests_run_at_most_two_scans()
    {
        var client = factory.CreateClient();
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result?.ScanFinishedAt is not null); // the first scan
        await factory.WaitForJobsIdleAsync();
        int before = factory.Scanner.CountFor("sample");
        factory.Scanner.Hold(); // a scan the flood starts stays running until the flood is over

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posts = Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            return (await client.PostAsync("/api/me/scan", null)).StatusCode;
        })).ToList();
        go.SetResult();
        Assert.All(await Task.WhenAll(posts), s => Assert.Equal(HttpStatusCode.Accepted, s));

        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") > before);
        factory.Scanner.Release();
        await factory.WaitForJobsIdleAsync();
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result is { ScanRunning: false, ScanQueued: false });
        int scans = factory.Scanner.CountFor("sample") - before;
        Assert.InRange(scans, 1, 2);
    }

    [Fact]
    public async Task A_missed_night_is_caught_up_at_start_and_a_scanned_one_is_not()
    {
        // 10:00 UTC; nightly at 02:00 UTC. "missed" was last scanned the night before last, the others after last night.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 10, 10, 0, 0, TimeSpan.Zero));
        factory.Clock = clock;
        factory.Settings["Scheduling:Mailboxes:0"] = "missed@example.com";
        factory.Settings["Scheduling:Mailboxes:1"] = "fresh@example.com";
        await using (var store = MailStore.OpenSqlite(factory.Settings["Store:Path"]!))
        {
            await store.MigrateAsync();
            await using var connection = await store.OpenConnectionAsync();
            foreach (var (mailbox, finished) in new[]
                     {
                         ("missed@example.com", new DateTimeOffset(2026, 6, 9, 2, 30, 0, TimeSpan.Zero)),
                         ("fresh@example.com", new DateTimeOffset(2026, 6, 10, 2, 30, 0, TimeSpan.Zero)),
                         ("sample", new DateTimeOffset(2026, 6, 10, 2, 30, 0, TimeSpan.Zero)),
                     })
                await connection.ExecuteAsync("""
                    INSERT INTO mailbox_registry (mailbox_id, origin, enrolled_at, scan_started_at, scan_finished_at, scan_running)
                    VALUES (@mailbox, 'configured', @at, @at, @at, 0)
                    """, new { mailbox, at = finished.ToUnixTimeMilliseconds() });
        }

        _ = factory.Server; // the start-up check has run when the server is up
        Assert.NotNull((await Registry.GetAsync("missed@example.com"))!.ScanRequestedAt);
        Assert.Null((await Registry.GetAsync("fresh@example.com"))!.ScanRequestedAt);
        Assert.Null((await Registry.GetAsync("sample"))!.ScanRequestedAt);
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("missed@example.com") == 1);
        await factory.WaitForJobsIdleAsync();
        Assert.Equal(0, factory.Scanner.CountFor("fresh@example.com"));
        Assert.Equal(0, factory.Scanner.CountFor("sample"));
        var me = await factory.CreateClient().GetBodyAsync<MeBody>("/api/me");
        Assert.Equal(new DateTimeOffset(2026, 6, 11, 2, 0, 0, TimeSpan.Zero), me.NextScanAt);
    }

    [Fact]
    public async Task One_recurring_job_in_the_configured_zone_queues_one_scan_per_mailbox()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 10, 10, 0, 0, TimeSpan.Zero));
        factory.Clock = clock;
        factory.Settings["Scheduling:NightlyAt"] = "03:15";
        factory.Settings["Scheduling:TimeZone"] = "Europe/Amsterdam";
        string[] mailboxes = ["sample", "a@example.com", "b@example.com", "c@example.com"];
        for (int i = 1; i < mailboxes.Length; i++) factory.Settings[$"Scheduling:Mailboxes:{i - 1}"] = mailboxes[i];
        _ = factory.Server;
        await factory.Scanner.WaitForAsync(() => mailboxes.All(m => factory.Scanner.CountFor(m) == 1)); // first scans
        await factory.WaitForJobsIdleAsync();

        using (var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection())
        {
            var nightly = Assert.Single(connection.GetRecurringJobs());
            Assert.Equal((ScanJob.NightlyJobId, "15 3 * * *", "Europe/Amsterdam"), (nightly.Id, nightly.Cron, nightly.TimeZoneId));
        }

        // The night comes (03:15 in Amsterdam is 01:15 UTC in summer) and Hangfire fires the job.
        clock.SetUtcNow(new DateTimeOffset(2026, 6, 11, 1, 15, 0, TimeSpan.Zero));
        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(ScanJob.NightlyJobId);
        await factory.Scanner.WaitForAsync(() => mailboxes.All(m => factory.Scanner.CountFor(m) == 2));
        await factory.WaitForJobsIdleAsync();
        Assert.All(mailboxes, m => Assert.Equal(2, factory.Scanner.CountFor(m)));
    }

    /// <summary>The lease is renewed every third of Scheduling:ScanLeaseSeconds on the service's clock, not the wall's.</summary>
    [Fact]
    public async Task A_running_scan_renews_its_lease_as_the_service_clock_moves()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 10, 10, 0, 0, TimeSpan.Zero));
        factory.Clock = clock;
        factory.Settings["Scheduling:ScanLeaseSeconds"] = "90";
        factory.Scanner.Hold();
        _ = factory.Server;
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") == 1);
        var claimed = (await Registry.GetAsync("sample"))!.ScanHeartbeatAt;
        Assert.Equal(clock.GetUtcNow(), claimed);

        clock.Advance(TimeSpan.FromSeconds(29)); // short of a third of the lease: no renewal due
        Assert.Equal(claimed, (await Registry.GetAsync("sample"))!.ScanHeartbeatAt);
        clock.Advance(TimeSpan.FromSeconds(1));
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result?.ScanHeartbeatAt == claimed!.Value.AddSeconds(30));

        factory.Scanner.Release();
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result is { ScanRunning: false, ScanHeartbeatAt: null });
    }

    [Fact]
    public async Task A_permanent_failure_is_not_retried_and_me_says_why()
    {
        factory.Scanner.Fail = _ => new ApiException("Forbidden") { ResponseStatusCode = 403 };
        var client = factory.CreateClient();
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result?.ScanError is not null);
        await factory.WaitForJobsIdleAsync();
        Assert.Equal(1, factory.Scanner.CountFor("sample"));
        Assert.Equal(1, Monitoring.FailedCount());
        var me = await client.GetBodyAsync<MeBody>("/api/me");
        Assert.Equal((true, false), (me.LastScanErrorPermanent, me.ScanQueued));
        Assert.Contains("consent", me.LastScanError);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_later_and_the_retry_counts_as_the_queued_scan()
    {
        int calls = 0;
        factory.Scanner.Fail = _ => Interlocked.Increment(ref calls) == 1
            ? new GraphRetriesExhaustedException(HttpMethod.Get, "/users/sample/mailFolders", 6, "HTTP 503")
            : null;
        var client = factory.CreateClient();
        await factory.Scanner.WaitForAsync(() => Monitoring.ScheduledCount() == 1); // the retry, with backoff
        var status = await Registry.GetAsync("sample");
        Assert.False(status!.ScanErrorPermanent);
        Assert.True(status.ScanQueued);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/me/scan", null)).StatusCode);
        Assert.Equal(1, Monitoring.ScheduledCount()); // the request joined the pending retry

        // The backoff elapses: run the retry now instead of waiting 30 seconds.
        var retry = Monitoring.ScheduledJobs(0, 1).Single().Key;
        Assert.True(factory.Services.GetRequiredService<IBackgroundJobClient>().Requeue(retry));
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync("sample").Result?.ScanFinishedAt is not null);
        await factory.WaitForJobsIdleAsync();
        Assert.Equal(2, factory.Scanner.CountFor("sample"));
        Assert.Null((await Registry.GetAsync("sample"))!.ScanError);
    }

    [Fact]
    public async Task Erasing_during_a_scan_leaves_nothing_behind()
    {
        // The scan writes a mailbox, a message and a profile, is held while the caller erases, then writes again.
        factory.Scanner.Write = (mailbox, phase, _) =>
            Seed.MailboxAsync(factory.Store, mailbox, Seed.Profile(phase == 0 ? "before@example.com" : "after@example.com"));
        factory.Scanner.Hold();
        var client = factory.CreateClient();
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor("sample") == 1);
        Assert.True(await RowsAsync() > 0); // the scan really wrote before the erase

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/me/data")).StatusCode);
        Assert.Equal(0, await RowsAsync());
        factory.Scanner.Release(); // the scan goes on writing after the erase
        await factory.Scanner.WaitForAsync(() => factory.Scanner.Completed == 1);
        await factory.WaitForJobsIdleAsync();
        Assert.Equal(0, await RowsAsync());
        Assert.Null(await Registry.GetAsync("sample"));
    }

    private async Task<long> RowsAsync()
    {
        await using var connection = await factory.Store.OpenConnectionAsync();
        long rows = 0;
        foreach (var table in await factory.Store.MailboxTablesAsync())
            rows += await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE mailbox_id = 'sample'");
        return rows;
    }
}

/// <summary>When "the night" is, from the service's clock: the catch-up at start and /api/me's next scan depend on it.</summary>
public sealed class NightlyScheduleTests
{
    [Theory]
    // zone, nightly at, now (UTC), previous night (UTC), next night (UTC)
    [InlineData("UTC", "02:00", "2026-06-10T10:00Z", "2026-06-10T02:00Z", "2026-06-11T02:00Z")]
    [InlineData("UTC", "02:00", "2026-06-10T02:00Z", "2026-06-10T02:00Z", "2026-06-11T02:00Z")]
    [InlineData("UTC", "02:00", "2026-06-10T01:59Z", "2026-06-09T02:00Z", "2026-06-10T02:00Z")]
    [InlineData("Europe/Amsterdam", "02:00", "2026-06-10T10:00Z", "2026-06-10T00:00Z", "2026-06-11T00:00Z")]
    [InlineData("Europe/Amsterdam", "02:00", "2026-01-10T10:00Z", "2026-01-10T01:00Z", "2026-01-11T01:00Z")]
    // Spring forward (29 March 2026, 02:00 -> 03:00 in Amsterdam): the night is when the clocks jump.
    [InlineData("Europe/Amsterdam", "02:30", "2026-03-29T10:00Z", "2026-03-29T01:00Z", "2026-03-30T00:30Z")]
    // Fall back (25 October 2026, 03:00 -> 02:00): 02:30 happens twice; the night is the first.
    [InlineData("Europe/Amsterdam", "02:30", "2026-10-25T10:00Z", "2026-10-25T00:30Z", "2026-10-26T01:30Z")]
    [InlineData("America/New_York", "23:45", "2026-06-10T12:00Z", "2026-06-10T03:45Z", "2026-06-11T03:45Z")]
    // Windows ids (what an Exchange admin copies from Outlook) resolve like their IANA zone; FindSystemTimeZoneById did not.
    [InlineData("W. Europe Standard Time", "02:00", "2026-06-10T10:00Z", "2026-06-10T00:00Z", "2026-06-11T00:00Z")]
    [InlineData("Eastern Standard Time", "23:45", "2026-06-10T12:00Z", "2026-06-10T03:45Z", "2026-06-11T03:45Z")]
    public void Previous_and_next_night(string zone, string at, string now, string previous, string next)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ScanScheduleOptions { TimeZone = zone, NightlyAt = at });
        var clock = new FakeTimeProvider(DateTimeOffset.Parse(now));
        var schedule = new NightlySchedule(options, clock);
        Assert.Equal(DateTimeOffset.Parse(previous), schedule.Previous(schedule.Now));
        Assert.Equal(DateTimeOffset.Parse(next), schedule.Next(schedule.Now));
    }

    [Theory]
    [InlineData("25:00", "UTC", "NightlyAt")]
    [InlineData("0 0 2 * * ?", "UTC", "NightlyAt")]
    [InlineData("02:00", "Mars/Olympus", "TimeZone")]
    [InlineData("02:00", "-0600", "TimeZone")] // a fixed offset: Hangfire could not find the zone again by its id
    public void Bad_settings_are_named(string at, string zone, string member)
    {
        var errors = new ScanScheduleOptions { NightlyAt = at, TimeZone = zone }.Validate(new(new object())).ToList();
        Assert.Contains(errors, e => e.MemberNames.Contains(member));
    }

    [Fact]
    public void The_old_cron_setting_is_refused_not_ignored()
    {
        var errors = new ScanScheduleOptions { NightlyCron = "0 0 2 * * ?" }.Validate(new(new object())).ToList();
        Assert.Contains(errors, e => e.MemberNames.Contains("NightlyCron") && e.ErrorMessage!.Contains("NightlyAt"));
        Assert.Empty(new ScanScheduleOptions().Validate(new(new object())));
    }
}

/// <summary>The registry's queue and lease transitions, on their own, on a fake clock.</summary>
public sealed class ScanQueueStateTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 10, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false, true)]  // only the catch-up run is queued: it skips, a scan finished since its night
    [InlineData(true, false)]  // a "scan now" arrived while it was queued: it was absorbed, so the run must scan
    public async Task A_request_absorbed_by_a_queued_catch_up_run_is_not_lost(bool requestWhileQueued, bool skips)
    {
        await using var db = await Infrastructure.TestStore.SqliteAsync();
        var clock = new FakeTimeProvider(Start);
        var registry = new MailboxRegistry(db.Store, clock);
        await registry.EnsureAsync("x@example.com", MailboxOrigin.Configured);
        await using (var connection = await db.Store.OpenConnectionAsync())
            await connection.ExecuteAsync("UPDATE mailbox_registry SET scan_finished_at = @now", new { now = clock.GetUtcNow().ToUnixTimeMilliseconds() });
        var stale = clock.GetUtcNow().AddHours(-6);

        Assert.True(await registry.TryQueueAsync("x@example.com", stale, force: false)); // the catch-up run
        if (requestWhileQueued)
            Assert.False(await registry.TryQueueAsync("x@example.com", stale, force: true)); // absorbed: no second job

        Assert.Equal(skips, await registry.TrySkipAsync("x@example.com", since: clock.GetUtcNow().AddHours(-1)));
    }

    /// <summary>A lease not renewed for Scheduling:ScanLeaseSeconds (its host died) may be taken; a renewed one may not.</summary>
    [Theory]
    // seconds until the second host tries, renewed meanwhile, taken over
    [InlineData(119, false, false)]
    [InlineData(121, false, true)]
    [InlineData(121, true, false)]
    [InlineData(600, false, true)]
    public async Task A_lease_lapses_only_when_not_renewed_for_the_lease_time(int secondsLater, bool renewed, bool takenOver)
    {
        var lease = TimeSpan.FromSeconds(120);
        await using var db = await Infrastructure.TestStore.SqliteAsync();
        var clock = new FakeTimeProvider(Start);
        var registry = new MailboxRegistry(db.Store, clock);
        await registry.EnsureAsync("x@example.com", MailboxOrigin.Configured);
        Assert.True(await registry.TryClaimAsync("x@example.com", "host-a", clock.GetUtcNow() - lease));

        clock.Advance(TimeSpan.FromSeconds(secondsLater - 5));
        if (renewed) Assert.True(await registry.RenewAsync("x@example.com", "host-a"));
        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(takenOver, await registry.TryClaimAsync("x@example.com", "host-b", clock.GetUtcNow() - lease));
        Assert.Equal(!takenOver, await registry.RenewAsync("x@example.com", "host-a")); // the old owner learns it lost the lease
    }
}

/// <summary>Scheduling:TimeZone goes through the one zone resolver: IANA and Windows ids, the zone Hangfire is given has an IANA id.</summary>
public sealed class ScheduleZoneTests
{
    [Theory]
    [InlineData("UTC", "Etc/UTC")]
    [InlineData("Europe/Amsterdam", "Europe/Amsterdam")]
    [InlineData("W. Europe Standard Time", "Europe/Berlin")]
    [InlineData("Pacific Standard Time", "America/Los_Angeles")]
    [InlineData("  America/Chicago ", "America/Chicago")]
    public void Configured_zone_resolves(string configured, string ianaId)
    {
        var options = new ScanScheduleOptions { TimeZone = configured };
        Assert.Empty(options.Validate(new(new object())));
        var zone = options.ResolveTimeZone();
        Assert.Equal(ianaId, zone.Id == "UTC" ? "Etc/UTC" : zone.Id);
        Assert.NotNull(TimeZoneInfo.FindSystemTimeZoneById(zone.Id)); // Hangfire looks the stored id up again
    }
}

/// <summary>Local mode's mailbox is keyed like the CLI's scan keys it, whatever case it was configured in.</summary>
public sealed class LocalMailboxKeyTests
{
    [Theory]
    [InlineData("sample", "sample")]
    [InlineData(" Me@Corp.COM ", "me@corp.com")]
    public void Configured_local_mailbox_is_canonical(string configured, string key) =>
        Assert.Equal(key, new MailRapport.Server.Auth.ServiceOptions { LocalMailbox = configured }.LocalMailbox);
}
