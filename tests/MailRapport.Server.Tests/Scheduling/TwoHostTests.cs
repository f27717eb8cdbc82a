using System.Text.RegularExpressions;
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
/// Two real service processes sharing one PostgreSQL database and one clustered Quartz schedule.
/// Skipped only outside CI when MAILRAPPORT_TEST_POSTGRES is unset (./tests/run.sh sets it).
/// </summary>
public sealed partial class TwoHostTests(ITestOutputHelper output) : IAsyncLifetime
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

    private Dictionary<string, string> Settings(string connectionString, string localMailbox) => new()
    {
        ["Store:Provider"] = "Postgres",
        ["Store:ConnectionString"] = connectionString,
        ["Service:LocalMailbox"] = localMailbox,
        ["Sample:Correspondents"] = Correspondents.ToString(),
        ["Scheduling:ClusterCheckinSeconds"] = "1",
        ["Scheduling:ClusterCheckinMisfireSeconds"] = "2",
        ["Scheduling:MaxConcurrentScans"] = "1",
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
            catch (Npgsql.PostgresException e) when (e.SqlState == "42P01") { } // Quartz has not created its tables yet
            await Task.Delay(200);
        }
        throw new TimeoutException($"Timed out waiting for {what}.");
    }

    [PostgresFact]
    public async Task A_host_killed_mid_scan_is_recovered_by_the_other_and_the_data_equals_an_uninterrupted_run()
    {
        db = await TestStore.PostgresAsync();
        const string mailbox = "m1@example.com";
        var settings = Settings(db.Options.ConnectionString!, mailbox);
        settings["Sample:DelayMilliseconds"] = "6000"; // the window in which a host dies mid-scan
        var a = Start("A", settings);
        var b = Start("B", settings);

        // Whichever host picked up the first scan is killed while it runs.
        var runningOn = await PollAsync(async () =>
        {
            await using var connection = await db.Store.OpenConnectionAsync();
            return await connection.QueryFirstOrDefaultAsync<string>(
                "SELECT instance_name FROM qrtz_fired_triggers WHERE job_name = @mailbox AND state = 'EXECUTING'", new { mailbox });
        }, TimeSpan.FromSeconds(90), "a host to start scanning");
        var victim = runningOn == "A" ? a : b;
        var survivor = runningOn == "A" ? b : a;
        await Task.Delay(1000);
        victim.Kill();
        output.WriteLine($"killed {victim.Name} mid-scan");

        await PollAsync(async () =>
        {
            await using var connection = await db.Store.OpenConnectionAsync();
            return await connection.QuerySingleOrDefaultAsync<long?>(
                "SELECT scan_finished_at FROM mailbox_registry WHERE mailbox_id = @mailbox AND scan_running = 0", new { mailbox });
        }, TimeSpan.FromSeconds(120), "the surviving host to finish the scan");
        Assert.Contains(survivor.Lines, l => l.Contains($"Scanned {mailbox}"));
        Assert.False(survivor.HasExited);

        // The same scan, uninterrupted, on a single host of its own.
        await using var reference = await TestStore.SqliteAsync();
        var scanner = new SampleMailboxScanner(reference.Store, new ProfileService(reference.Store, new RelationshipModel(new StageModelOptions())),
            TimeProvider.System, Options.Create(new SampleScanOptions { Correspondents = Correspondents }));
        await scanner.ScanAsync(mailbox);

        Assert.Equal(await reference.Store.CountInteractionsAsync(mailbox), await db.Store.CountInteractionsAsync(mailbox));
        var expected = (await reference.Store.ListProfilesAsync(mailbox)).Select(Summary).OrderBy(s => s).ToList();
        var actual = (await db.Store.ListProfilesAsync(mailbox)).Select(Summary).OrderBy(s => s).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    private static string Summary(ContactProfile p) =>
        $"{p.Address} {p.Stage} {p.Nurture} {p.Evidence.MessagesSent}/{p.Evidence.MessagesReceived}/{p.Evidence.SharedMeetings}/{p.Evidence.SharedThreads}";

    [PostgresFact]
    public async Task Two_hosts_share_the_schedule_and_each_firing_scans_each_mailbox_once()
    {
        db = await TestStore.PostgresAsync();
        var settings = Settings(db.Options.ConnectionString!, "m0@example.com");
        settings["Sample:Correspondents"] = "8";
        settings["Scheduling:NightlyCron"] = "0/10 * * * * ?"; // a "night" every 10 seconds
        settings["Scheduling:MaxConcurrentScans"] = "2";
        settings["Scheduling:ClusterCheckinMisfireSeconds"] = "10"; // nobody dies here: no false failover on a loaded machine
        for (int i = 1; i <= 3; i++) settings[$"Scheduling:Mailboxes:{i - 1}"] = $"m{i}@example.com";
        Start("A", settings);
        Start("B", settings);
        string[] mailboxes = ["m0@example.com", "m1@example.com", "m2@example.com", "m3@example.com"];

        // Wait until every mailbox has had two scheduled ("nightly") firings.
        await PollAsync(() => Task.FromResult<object?>(
            mailboxes.All(m => NightlyRuns().Count(r => r.Mailbox == m) >= 2) ? new object() : null),
            TimeSpan.FromSeconds(120), "two nightly firings per mailbox");

        var runs = NightlyRuns();
        var duplicates = runs.GroupBy(r => (r.Mailbox, r.ScheduledAt)).Where(g => g.Count() > 1).ToList();
        Assert.True(duplicates.Count == 0, "scanned twice for one firing: " + string.Join(", ", duplicates.Select(d => d.Key)));
    }

    private List<(string Mailbox, string ScheduledAt, string Host)> NightlyRuns() =>
        hosts.SelectMany(h => h.Lines.Select(l => NightlyLine().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value, h.Name))).ToList();

    [GeneratedRegex(@"Scan job for (\S+): trigger nightly\.\S+ scheduled (\S+),")]
    private static partial Regex NightlyLine();
}
