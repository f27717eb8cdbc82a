using System.Text.Json;
using Dapper;
using MailRapport.Core;
using MailRapport.Server.Profiles;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace MailRapport.Server.Tests.Scheduling;

/// <summary>
/// Two real service processes sharing one PostgreSQL database: the store and Hangfire's job storage (schema "hangfire").
/// Skipped only outside CI when MAILRAPPORT_TEST_POSTGRES is unset (./tests/run.sh sets it).
/// </summary>
public sealed class TwoHostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Correspondents = 40;
    private TestStore? db;
    private readonly List<ServiceProcess> hosts = [];
    private readonly string workDir = Directory.CreateTempSubdirectory("mailrapport-hosts-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in hosts)
        {
            output.WriteLine($"==== {host.Name}\n{host.Output}");
            host.Dispose();
        }
        if (db is not null) await db.DisposeAsync();
        try { Directory.Delete(workDir, recursive: true); } catch (IOException) { }
    }

    private static Dictionary<string, string> Settings(string connectionString, string localMailbox) => new()
    {
        ["Store:Provider"] = "Postgres",
        ["Store:ConnectionString"] = connectionString,
        ["Service:LocalMailbox"] = localMailbox,
        ["Sample:Correspondents"] = Correspondents.ToString(),
        ["Scheduling:MaxConcurrentScans"] = "1",
        ["Scheduling:PollSeconds"] = "1",
        ["Scheduling:BusyRetrySeconds"] = "1",
        // A dead host's job goes to the other after 5 s; its lease on the mailbox lapses after 3 s.
        ["Scheduling:InvisibilityTimeoutSeconds"] = "5",
        ["Scheduling:ScanLeaseSeconds"] = "3",
        ["Scheduling:LockTimeoutSeconds"] = "5", // with the package's 10 minutes the kill test below stalls and fails
    };

    private ServiceProcess Start(string name, Dictionary<string, string> settings)
    {
        var host = new ServiceProcess(name, workDir, settings);
        hosts.Add(host);
        return host;
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await probe() is { } value) return value;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState is "42P01" or "3F000") { } // tables or schema not created yet
            await Task.Delay(200);
        }
        throw new TimeoutException($"Timed out waiting for {what}.");
    }

    /// <summary>Hangfire's record of one job run: which server, for which mailbox, and when it ran.</summary>
    private sealed record JobRun(long JobId, string Method, string Arguments, string State, string? ServerId, DateTime At, long DurationMs);

    private async Task<List<JobRun>> RunsAsync()
    {
        await using var connection = await db!.Store.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(long Id, string Invocation, string Arguments, string State, string Data, DateTime At)>("""
            SELECT j.id, j.invocationdata::text, j.arguments::text, s.name, s.data::text, s.createdat
            FROM hangfire.job j JOIN hangfire.state s ON s.jobid = j.id
            WHERE s.name IN ('Processing', 'Succeeded')
            """);
        return rows.Select(r =>
        {
            using var data = JsonDocument.Parse(r.Data);
            string? server = data.RootElement.TryGetProperty("ServerId", out var s) ? s.GetString() : null;
            long duration = data.RootElement.TryGetProperty("PerformanceDuration", out var d) ? long.Parse(d.GetString()!) : 0;
            var method = JsonDocument.Parse(r.Invocation).RootElement.GetProperty("Method").GetString()!;
            return new JobRun(r.Id, method, r.Arguments, r.State, server, r.At, duration);
        }).ToList();
    }

    private static bool On(JobRun run, ServiceProcess host) => run.ServerId?.StartsWith(host.Name.ToLowerInvariant() + "-", StringComparison.Ordinal) == true;

    private async Task<long?> FinishedAtAsync(string mailbox)
    {
        await using var connection = await db!.Store.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<long?>(
            "SELECT scan_finished_at FROM mailbox_registry WHERE mailbox_id = @mailbox AND scan_running = 0 AND scan_queued = 0", new { mailbox });
    }

    [PostgresFact]
    public async Task A_host_killed_mid_scan_is_recovered_by_the_other_the_data_equals_an_uninterrupted_run_and_no_lock_stalls_later_scans()
    {
        db = await TestStore.PostgresAsync();
        const string mailbox = "m1@example.com";
        var settings = Settings(db.Options.ConnectionString!, mailbox);
        settings["Sample:DelayMilliseconds"] = "6000"; // the window in which a host dies mid-scan
        var a = Start("A", settings);
        var b = Start("B", settings);
        // Which Hangfire locks the hosts take, to leave them all behind at the kill.
        var seenLocks = new HashSet<string>();
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                try
                {
                    await using var connection = await db.Store.OpenConnectionAsync();
                    foreach (var resource in await connection.QueryAsync<string>("SELECT resource FROM hangfire.lock"))
                        lock (seenLocks) seenLocks.Add(resource);
                }
                catch (Npgsql.PostgresException) { } // not created yet
                await Task.Delay(20);
            }
        });

        // Whichever host picked up the first scan is killed while it runs.
        var running = await PollAsync(async () => (await RunsAsync()).FirstOrDefault(r => r.Method == "ScanAsync" && r.State == "Processing"),
            TimeSpan.FromSeconds(90), "a host to start scanning");
        var victim = On(running, a) ? a : b;
        var survivor = victim == a ? b : a;
        Assert.True(On(running, victim));
        // Killed mid-scan: once its messages are stored (the sample scanner then waits before computing profiles).
        await PollAsync(async () => (await db.Store.CountInteractionsAsync(mailbox)).Messages > 0 ? new object() : null,
            TimeSpan.FromSeconds(60), "the victim to store the mailbox's messages");
        victim.Kill();
        output.WriteLine($"killed {victim.Name} mid-scan");

        // The worst case for Hangfire.PostgreSql (#365, #329): the victim died holding every lock the hosts take. With the
        // package's 10-minute lock timeout these rows stall this job's state change (so the recovery), the recurring and
        // the delayed jobs for 10 minutes ("Lock timeout"); Scheduling:LockTimeoutSeconds mends it.
        await stopSampling.CancelAsync();
        await sampling;
        seenLocks.Add($"hangfire:job:{running.JobId}:state-lock");
        output.WriteLine("locks left behind: " + string.Join(", ", seenLocks));
        await using (var connection = await db.Store.OpenConnectionAsync())
            foreach (var resource in seenLocks)
                await connection.ExecuteAsync(
                    "INSERT INTO hangfire.lock (resource, updatecount, acquired) VALUES (@resource, 0, NOW()) ON CONFLICT DO NOTHING",
                    new { resource });

        await PollAsync(() => FinishedAtAsync(mailbox), TimeSpan.FromSeconds(120), "the surviving host to finish the scan");
        // Its state change needs the job's state lock, which the victim "left behind" above.
        await PollAsync(async () => (await RunsAsync()).FirstOrDefault(r => r.JobId == running.JobId && r.State == "Succeeded"),
            TimeSpan.FromSeconds(60), "the recovered job to be marked succeeded");
        var recovered = (await RunsAsync()).Where(r => r.JobId == running.JobId).ToList();
        Assert.Contains(recovered, r => r.State == "Processing" && On(r, survivor)); // the survivor ran the victim's job
        Assert.False(survivor.HasExited);

        // The same scan, uninterrupted, on a single host of its own.
        await using var reference = await TestStore.SqliteAsync();
        var scanner = new SampleMailboxScanner(reference.Store, reference.Store.ProfileService(),
            TimeProvider.System, Options.Create(new SampleScanOptions { Correspondents = Correspondents }));
        await scanner.ScanAsync(mailbox);
        Assert.Equal(await reference.Store.CountInteractionsAsync(mailbox), await db.Store.CountInteractionsAsync(mailbox));
        var expected = (await reference.Store.ListProfilesAsync(mailbox)).Select(Summary).OrderBy(s => s).ToList();
        var actual = (await db.Store.ListProfilesAsync(mailbox)).Select(Summary).OrderBy(s => s).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);

        // Later work is not stalled by what the victim left: the nightly job can be fired and runs, and a new scan runs.
        using var http = new HttpClient { BaseAddress = new Uri(survivor.Url) };
        http.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");
        var trigger = await http.PostAsync("/jobs/recurring/trigger", new FormUrlEncodedContent([new("jobs[]", "nightly-scans")]));
        Assert.True(trigger.IsSuccessStatusCode, $"trigger: {trigger.StatusCode}");
        await PollAsync(async () => (await RunsAsync()).FirstOrDefault(r => r.Method == "DispatchNightAsync" && r.State == "Succeeded"),
            TimeSpan.FromSeconds(60), "the nightly job to run after the kill");
        var before = await FinishedAtAsync(mailbox);
        Assert.True((await http.PostAsync("/api/me/scan", null)).IsSuccessStatusCode);
        await PollAsync(async () => await FinishedAtAsync(mailbox) > before ? new object() : null, TimeSpan.FromSeconds(60), "a scan after the kill");
        await using (var connection = await db.Store.OpenConnectionAsync())
            // Every lock taken since was freed of the dead host's row (the expiration manager's own lock is next taken in 30 minutes).
            Assert.Empty(await connection.QueryAsync<string>(
                "SELECT resource FROM hangfire.lock WHERE acquired < NOW() - INTERVAL '30 seconds' AND resource LIKE 'hangfire:%'"));
    }

    private static string Summary(StoredProfile p) =>
        $"{p.Address} {p.Stage} {p.Nurture} {p.Evidence.MessagesSent}/{p.Evidence.MessagesReceived}/{p.Evidence.SharedMeetings}/{p.Evidence.SharedThreads}";

    [PostgresFact]
    public async Task Two_hosts_starting_together_and_flooded_from_both_scan_each_mailbox_once_at_a_time()
    {
        db = await TestStore.PostgresAsync();
        const int scanMs = 1500;
        var settings = Settings(db.Options.ConnectionString!, "m0@example.com");
        settings["Sample:Correspondents"] = "8";
        settings["Sample:DelayMilliseconds"] = scanMs.ToString();
        settings["Scheduling:MaxConcurrentScans"] = "2";
        settings["Scheduling:ScanLeaseSeconds"] = "30"; // nobody dies here: no takeover on a loaded machine
        for (int i = 1; i <= 3; i++) settings[$"Scheduling:Mailboxes:{i - 1}"] = $"m{i}@example.com";
        var a = Start("A", settings);
        var b = Start("B", settings);
        string[] mailboxes = ["m0@example.com", "m1@example.com", "m2@example.com", "m3@example.com"];

        // Both hosts queue the first scans at start: each mailbox is scanned once.
        foreach (var m in mailboxes)
            await PollAsync(() => FinishedAtAsync(m), TimeSpan.FromSeconds(120), $"the first scan of {m}");
        await PollAsync(async () => await IdleAsync() ? new object() : null, TimeSpan.FromSeconds(60), "Hangfire to be idle");
        List<JobRun> Scans(IEnumerable<JobRun> runs, string m) =>
            runs.Where(r => r.Method == "ScanAsync" && r.State == "Succeeded" && r.DurationMs >= scanMs && r.Arguments.Contains(m)).ToList();
        var afterStart = await RunsAsync();
        Assert.All(mailboxes, m => Assert.Single(Scans(afterStart, m)));

        // 100 requests to each host at once: at most one more running and one queued scan.
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posts = new[] { a, b }.SelectMany(h => Enumerable.Range(0, 100).Select(async _ =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(h.Url) };
            await go.Task;
            return (await http.PostAsync("/api/me/scan", null)).IsSuccessStatusCode;
        })).ToList();
        var flood = System.Diagnostics.Stopwatch.StartNew();
        go.SetResult();
        Assert.All(await Task.WhenAll(posts), Assert.True);
        flood.Stop();
        await PollAsync(async () => await IdleAsync() && await FinishedAtAsync("m0@example.com") is not null ? new object() : null,
            TimeSpan.FromSeconds(120), "the flood's scans to finish");

        var runs = await RunsAsync();
        // One running and one queued while the requests arrive: two more scans when they all land within one scan's
        // time; a request that lands after the queued scan has started rightly queues another (a loaded machine can
        // spread 200 requests over seconds), at most one per scan's length.
        Assert.InRange(Scans(runs, "m0@example.com").Count - 1, 1, 2 + (int)(flood.ElapsedMilliseconds / scanMs));
        foreach (var m in mailboxes)
        {
            // Never two scans of one mailbox at once, on either host.
            var spans = Scans(runs, m).Select(r => (Start: r.At.AddMilliseconds(-r.DurationMs), End: r.At)).OrderBy(s => s.Start).ToList();
            for (int i = 1; i < spans.Count; i++)
                Assert.True(spans[i].Start >= spans[i - 1].End, $"{m}: scans overlap ({spans[i - 1]} and {spans[i]})");
        }
    }

    private async Task<bool> IdleAsync()
    {
        await using var connection = await db!.Store.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM hangfire.job WHERE statename IN ('Enqueued', 'Processing', 'Scheduled') OR statename IS NULL") == 0;
    }
}
