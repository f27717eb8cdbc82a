using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using MailRapport.FakeGraph;
using MailRapport.Server.Storage;
using Npgsql;

// Scale benchmark: one night for many small mailboxes, dispatched by the nightly recurring job, scanned by 1, 2 and 4
// worker hosts (real `mailrapport serve` processes, Entra mode) on one PostgreSQL, against the fake Graph server with a
// per-request latency. Each run is capped at --window seconds; scans/minute is measured over the window and the whole
// night's wall time projected from it.
//   export MAILRAPPORT_TEST_POSTGRES=$(bash tests/scripts/postgres.sh)
//   dotnet run -c Release --project bench/ScaleBench -- [--mailboxes 10000] [--hosts 1,2,4] [--workers 4] [--latency-ms 50] [--window 120]
var argList = args.ToList();
string Arg(string name, string fallback) { int i = argList.IndexOf(name); return i >= 0 && i + 1 < argList.Count ? argList[i + 1] : fallback; }
int mailboxes = int.Parse(Arg("--mailboxes", "10000"), CultureInfo.InvariantCulture);
int[] hostCounts = Arg("--hosts", "1,2,4").Split(',').Select(int.Parse).ToArray();
int workers = int.Parse(Arg("--workers", "4"), CultureInfo.InvariantCulture);
int latencyMs = int.Parse(Arg("--latency-ms", "50"), CultureInfo.InvariantCulture);
int windowSeconds = int.Parse(Arg("--window", "120"), CultureInfo.InvariantCulture);
int messagesPerMailbox = int.Parse(Arg("--messages", "12"), CultureInfo.InvariantCulture);
var adminConnection = Environment.GetEnvironmentVariable("MAILRAPPORT_TEST_POSTGRES")
    ?? throw new InvalidOperationException("Set MAILRAPPORT_TEST_POSTGRES (bash tests/scripts/postgres.sh prints it).");

// Every user name gets its own small deterministic mailbox, built on first request.
var end = new DateTimeOffset(2026, 11, 1, 6, 0, 0, TimeSpan.Zero);
var boxes = new ConcurrentDictionary<string, FakeMailbox>(StringComparer.OrdinalIgnoreCase);
FakeMailbox BoxFor(string user) => boxes.GetOrAdd(user, u =>
{
    int seed = StringComparer.OrdinalIgnoreCase.GetHashCode(u) & 0x7fffffff;
    var (m, e) = SyntheticMailbox.Generate(messagesPerMailbox, 2, end, seed, u);
    return SyntheticMailbox.Build(u, m, e, seed);
});
await using var graph = await FakeGraphServer.StartAsync(BoxFor("u1@bench.example"));
graph.MailboxFor = BoxFor;
graph.RecordRequests = false;
graph.Latency = TimeSpan.FromMilliseconds(latencyMs);
Console.WriteLine($"fake Graph at {graph.BaseUrl}, {latencyMs} ms per request; {mailboxes} mailboxes of {messagesPerMailbox} messages + 2 meetings; " +
                  $"{workers} scan workers per host; window {windowSeconds} s; {Environment.ProcessorCount} cores");
Console.WriteLine("hosts | dispatch (s) | scans in window | scans/min | Graph requests/min | projected night (min)");

foreach (int hostCount in hostCounts)
{
    var dbName = $"mailrapport_scale_{hostCount}_{Guid.NewGuid():n}"[..40];
    await using (var admin = new NpgsqlConnection(adminConnection))
        await admin.ExecuteAsync($"CREATE DATABASE {dbName}");
    var cs = new NpgsqlConnectionStringBuilder(adminConnection) { Database = dbName, MaxPoolSize = 20 }.ConnectionString;
    var hosts = new List<Process>();
    try
    {
        await using var store = MailStore.Open(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = cs });
        await store.MigrateAsync();
        // Scanned an hour ago: no catch-up at start; the night is the next whole minute at least 40 s away.
        var now = DateTimeOffset.UtcNow;
        await using (var c = await store.OpenConnectionAsync())
            await c.ExecuteAsync("""
                INSERT INTO mailbox_registry (mailbox_id, origin, enrolled_at, scan_started_at, scan_finished_at, scan_running)
                SELECT 'u' || g || '@bench.example', 'configured', @t, @t, @t, 0 FROM generate_series(1, @n) g
                """, new { t = now.AddHours(-1).ToUnixTimeMilliseconds(), n = mailboxes });
        var night = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(now.Second < 20 ? 1 : 2);

        for (int h = 0; h < hostCount; h++)
            hosts.Add(StartHost($"H{h}", cs, graph.BaseUrl, night, workers));

        // Wait for the night, then for the dispatch job to finish.
        double dispatchSeconds = await PollAsync(async () =>
        {
            await using var c = await store.OpenConnectionAsync();
            var data = await c.QuerySingleOrDefaultAsync<string>("""
                SELECT s.data::text FROM hangfire.job j JOIN hangfire.state s ON s.jobid = j.id
                WHERE s.name = 'Succeeded' AND j.invocationdata::text LIKE '%DispatchNightAsync%'
                """);
            if (data is null) return (double?)null;
            using var json = System.Text.Json.JsonDocument.Parse(data);
            return long.Parse(json.RootElement.GetProperty("PerformanceDuration").GetString()!, CultureInfo.InvariantCulture) / 1000.0;
        }, TimeSpan.FromMinutes(4));

        long requestsAtStart = graph.RequestCount;
        var watch = Stopwatch.StartNew();
        long done = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(windowSeconds) && done < mailboxes)
        {
            await Task.Delay(2000);
            await using var c = await store.OpenConnectionAsync();
            done = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailbox_registry WHERE scan_finished_at >= @n", new { n = night.ToUnixTimeMilliseconds() });
        }
        double minutes = watch.Elapsed.TotalMinutes;
        double perMinute = done / minutes;
        double requestsPerMinute = (graph.RequestCount - requestsAtStart) / minutes;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{hostCount} | {dispatchSeconds:F1} | {done} in {watch.Elapsed.TotalSeconds:F0} s | {perMinute:F0} | {requestsPerMinute:F0} | {(done >= mailboxes ? minutes : mailboxes / Math.Max(perMinute, 0.001)):F1}"));
    }
    finally
    {
        foreach (var host in hosts) { try { host.Kill(entireProcessTree: true); host.WaitForExit(10_000); } catch (InvalidOperationException) { } host.Dispose(); }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(adminConnection);
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {dbName} WITH (FORCE)");
    }
}
return 0;

static Process StartHost(string name, string connectionString, string graphUrl, DateTimeOffset night, int workers)
{
    var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mailrapport.dll"));
    psi.ArgumentList.Add("serve");
    foreach (var (k, v) in new Dictionary<string, string>
             {
                 ["urls"] = "http://127.0.0.1:0",
                 ["Service:Mode"] = "Entra",
                 ["Entra:ClientId"] = "11111111-2222-3333-4444-555555555555",
                 ["Entra:AllowedTenants:0"] = "aaaaaaaa-0000-0000-0000-000000000001",
                 ["Graph:BaseUrl"] = graphUrl,
                 ["Store:Provider"] = "Postgres",
                 ["Store:ConnectionString"] = connectionString,
                 ["Scheduling:InstanceId"] = name,
                 ["Scheduling:NightlyAt"] = night.ToString("HH:mm", CultureInfo.InvariantCulture),
                 ["Scheduling:MaxConcurrentScans"] = workers.ToString(CultureInfo.InvariantCulture),
                 ["Scheduling:PollSeconds"] = "1",
                 ["Logging:LogLevel:Default"] = "Warning",
             })
        psi.ArgumentList.Add($"--{k}={v}");
    var p = Process.Start(psi)!;
    p.OutputDataReceived += (_, _) => { };
    p.ErrorDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("fail", StringComparison.OrdinalIgnoreCase)) Console.Error.WriteLine($"[{name}] {line}"); };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return p;
}

static async Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout) where T : struct
{
    var deadline = DateTime.UtcNow + timeout;
    while (DateTime.UtcNow < deadline)
    {
        try { if (await probe() is { } v) return v; }
        catch (PostgresException e) when (e.SqlState is "42P01" or "3F000") { }
        await Task.Delay(500);
    }
    throw new TimeoutException("the nightly dispatch did not run");
}
