using System.Collections.Concurrent;
using MailRapport.Core;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace MailRapport.Server.Tests.Support;

/// <summary>
/// The real service in-process, on a fresh SQLite file (or a given PostgreSQL database), with a recording scanner
/// instead of a mail source and, in Entra mode, the test's signing keys instead of Entra's metadata.
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "mailrapport-test-" + Guid.NewGuid().ToString("n"));
    public Dictionary<string, string?> Settings { get; } = new();
    public TestTokens Tokens { get; } = new();
    public RecordingScanner Scanner { get; } = new();

    /// <summary>Keep the service's own scanner (the sample in local mode) instead of the recording one.</summary>
    public bool RealScanner { get; init; }

    /// <summary>The service's clock (schedule tests pass a FakeTimeProvider); null keeps the system clock.</summary>
    public TimeProvider? Clock { get; set; }

    public ServiceFactory(bool entra = true, int requestsPerMinute = 0)
    {
        System.IO.Directory.CreateDirectory(Directory);
        Settings["Store:Path"] = Path.Combine(Directory, "test.db");
        Settings["Service:RequestsPerMinute"] = requestsPerMinute.ToString();
        Settings["Scheduling:PollSeconds"] = "1";
        Settings["Scheduling:BusyRetrySeconds"] = "1";
        if (entra)
        {
            Settings["Service:Mode"] = "Entra";
            Settings["Entra:ClientId"] = TestTokens.ClientId;
            Settings["Entra:AllowedTenants:0"] = TestTokens.TenantA;
            Settings["Entra:AllowedTenants:1"] = TestTokens.TenantB;
            Settings["Graph:BaseUrl"] = "http://127.0.0.1:9/v1.0"; // Entra mode validates Graph options at start; loopback needs no credentials
            Settings["Graph:TenantId"] = TestTokens.TenantA; // the tenant whose mailboxes are scanned: only its users are served
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            if (!RealScanner)
            {
                services.RemoveAll<IMailboxScanner>();
                services.AddSingleton<IMailboxScanner>(Scanner);
            }
            if (Clock is not null)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton(Clock);
            }
            services.RemoveAll<IConfigurationManager<OpenIdConnectConfiguration>>();
            services.AddSingleton(Tokens.Metadata());
        });
    }

    public MailStore Store => Services.GetRequiredService<MailStore>();

    /// <summary>Waits until Hangfire has no job queued, running or waiting for a retry.</summary>
    public async Task WaitForJobsIdleAsync(TimeSpan? timeout = null)
    {
        var monitoring = Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        await Scanner.WaitForAsync(() => monitoring.GetStatistics() is { Enqueued: 0, Processing: 0, Scheduled: 0 }, timeout);
    }

    public HttpClient ClientFor(TestTokens.User user)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Tokens.Mint(user));
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A clock that moves only when told to.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; private set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// A scanner that records every call, can be held mid-scan until the test releases it (no wall-clock delays), can
/// write to the store before and after the hold, and tracks how many scans of a mailbox overlap.
/// </summary>
public sealed class RecordingScanner : IMailboxScanner
{
    private readonly ConcurrentDictionary<string, int> running = new();
    private TaskCompletionSource? gate;
    public ConcurrentQueue<string> Calls { get; } = new();
    public int MaxOverlap;
    public int Completed;

    /// <summary>When set, called before each scan; an exception it returns is thrown by the scan.</summary>
    public Func<string, Exception?>? Fail { get; set; }

    /// <summary>When set, the scan writes through it: phase 0 before the hold, phase 1 after it.</summary>
    public Func<string, int, CancellationToken, Task>? Write { get; set; }

    /// <summary>Scans from now on stop after being recorded (and after phase 0) until <see cref="Release"/>.</summary>
    public void Hold() => Interlocked.Exchange(ref gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Lets held scans, and every later one, run to the end.</summary>
    public void Release() => Interlocked.Exchange(ref gate, null)?.TrySetResult();

    public async Task<ScanResult> ScanAsync(string mailboxId, IProgress<ScanProgress>? progress = null, CancellationToken ct = default)
    {
        var now = running.AddOrUpdate(mailboxId, 1, (_, n) => n + 1);
        InterlockedMax(ref MaxOverlap, now);
        try
        {
            if (Write is { } write) await write(mailboxId, 0, ct);
            Calls.Enqueue(mailboxId);
            if (Volatile.Read(ref gate) is { } held) await held.Task.WaitAsync(ct);
            if (Write is { } after) await after(mailboxId, 1, ct);
            if (Fail?.Invoke(mailboxId) is { } failure) throw failure;
            return new ScanResult(mailboxId, 0, 0, 0, 0, 0, 0, TimeSpan.Zero);
        }
        finally
        {
            running.AddOrUpdate(mailboxId, 0, (_, n) => n - 1);
            Interlocked.Increment(ref Completed);
        }
    }

    public int CountFor(string mailboxId) => Calls.Count(c => c == mailboxId);

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    /// <summary>Polls a condition on state (never "wait, then assert nothing happened"); fails after the timeout.</summary>
    public async Task WaitForAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached in time");
            await Task.Delay(50);
        }
    }
}

/// <summary>Stored data for tests: profiles written straight to the store.</summary>
public static class Seed
{
    public static ContactProfile Profile(string address, Stage stage = Stage.Rapport, Nurture nurture = Nurture.Active, int strength = 50) => new()
    {
        Address = address,
        DisplayName = address.Split('@')[0],
        Stage = stage,
        Nurture = nurture,
        Harmony = 50,
        Depth = 40,
        Strength = strength,
        Evidence = new Evidence { MessagesSent = 3, MessagesReceived = 4 },
        Reasons = ["seeded"],
        NextStep = "none",
        AsOf = DateTimeOffset.UtcNow,
        Timeline = [new MonthActivity(2026, 10, 3, 4, 0)],
    };

    public static async Task MailboxAsync(MailStore store, string mailboxId, params ContactProfile[] profiles)
    {
        await store.Interactions().UpsertMailboxAsync(new StoredMailbox(mailboxId, [mailboxId], null, "test", DateTimeOffset.UtcNow));
        await store.Interactions().UpsertMessagesAsync(mailboxId, [new MessageInteraction
        {
            Key = "m1-" + mailboxId,
            Timestamp = DateTimeOffset.UtcNow.AddDays(-3),
            Direction = Direction.Outgoing,
            From = mailboxId,
            Counterparts = [new Counterpart(profiles.FirstOrDefault()?.Address ?? "x@example.com", null, RecipientRole.To)],
            RecipientCount = 1,
        }]);
        await store.SaveProfilesAsync(mailboxId, profiles);
    }
}
