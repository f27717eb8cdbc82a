using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using MailRapport.Core;
using MailRapport.FakeGraph;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

// Change-notification latency: the real service in-process on Kestrel (Entra mode, SQLite, Hangfire in memory), the fake
// Graph server on loopback sending its handshakes and notifications over real sockets. Per message: add it to the fake
// mailbox, then time until GET /api/contacts/{its sender} answers 200. Two modes in the same run:
//   baseline  the bench asks for the scan itself (POST /api/me/scan) right after adding the message: no notification, no debounce
//   notify    nothing but Graph's change notification
//   busy      as notify, but the message arrives while a scan of the mailbox runs, after that scan read the mail folders
//             (the bench asks for a scan and adds the message once Graph answered --busy-after requests of it), so the
//             notification's scan must follow it. Use --graph-latency-ms so the scan is still running when the
//             notification's job starts (e.g. --debounce 0 --graph-latency-ms 500).
// Between messages the mailbox is left idle (no scan queued or running), then a random pause (uniform 0..--gap-ms, seeded)
// so arrivals fall at any phase of the job storage's polling. Requests = Graph requests the service sent per message.
//   dotnet run -c Release --project bench/NotifyBench -- [--messages 100] [--mailbox 2000] [--debounce 2] [--poll 5] [--gap-ms 5000] [--modes baseline,notify,busy] [--graph-latency-ms 0] [--busy-after 6]
// The service's content root (its files are copied beside the bench); the test-host default looks for the project folder.
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_MAILRAPPORT", AppContext.BaseDirectory);
var argList = args.ToList();
string Arg(string name, string fallback) { int i = argList.IndexOf(name); return i >= 0 && i + 1 < argList.Count ? argList[i + 1] : fallback; }
int messages = int.Parse(Arg("--messages", "100"), CultureInfo.InvariantCulture);
int mailboxSize = int.Parse(Arg("--mailbox", "2000"), CultureInfo.InvariantCulture);
string debounce = Arg("--debounce", "2");
string poll = Arg("--poll", "5");
string[] modes = Arg("--modes", "baseline,notify").Split(',');
int gapMs = int.Parse(Arg("--gap-ms", "5000"), CultureInfo.InvariantCulture);
int graphLatencyMs = int.Parse(Arg("--graph-latency-ms", "0"), CultureInfo.InvariantCulture);
int busyAfter = int.Parse(Arg("--busy-after", "6"), CultureInfo.InvariantCulture);

Console.WriteLine($"{messages} messages per mode; mailbox of {mailboxSize} messages; Graph:Notifications:DebounceSeconds {debounce}; " +
                  $"Scheduling:PollSeconds {poll}; random pause 0-{gapMs} ms before each message; " +
                  $"Graph latency {graphLatencyMs} ms per request; {Environment.ProcessorCount} cores");
Console.WriteLine("mode | p50 (s) | p90 (s) | p99 (s) | max (s) | mean (s) | Graph requests per message | notifications per message");
var results = new Dictionary<string, double>();
foreach (var mode in modes)
{
    var (latencies, requests, notifications) = await RunAsync(mode, messages, mailboxSize, debounce, poll, gapMs, graphLatencyMs, busyAfter);
    latencies.Sort();
    double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
    results[mode] = P(0.5);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{mode} | {P(0.5):F2} | {P(0.9):F2} | {P(0.99):F2} | {latencies[^1]:F2} | {latencies.Average():F2} | {requests / (double)messages:F1} | {notifications / (double)messages:F1}"));
}
if (results.TryGetValue("baseline", out var b) && results.TryGetValue("notify", out var n))
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p50 notify / baseline: {n / b:F2}"));
return 0;

static async Task<(List<double> Latencies, long Requests, long Notifications)> RunAsync(string mode, int count, int mailboxSize, string debounce, string poll, int gapMs, int graphLatencyMs, int busyAfter)
{
    const string owner = "bench.owner@contoso.example";
    var end = DateTimeOffset.UtcNow.AddDays(-1);
    var (m, e) = SyntheticMailbox.Generate(mailboxSize, Math.Max(1, mailboxSize / 50), end, seed: 5, owner);
    await using var graph = await FakeGraphServer.StartAsync(SyntheticMailbox.Build(owner, m, e, seed: 5));
    graph.RecordRequests = false;
    graph.AddUser(BenchTokens.ObjectId, owner, owner);
    bool notifies = mode is "notify" or "busy";
    var dir = Directory.CreateTempSubdirectory("mailrapport-notifybench-");
    int port = FreePort();
    await using var service = new BenchService(new Dictionary<string, string?>
    {
        ["Service:Mode"] = "Entra",
        ["Service:RequestsPerMinute"] = "0",
        ["Entra:ClientId"] = BenchTokens.ClientId,
        ["Entra:AllowedTenants:0"] = BenchTokens.TenantId,
        ["Graph:BaseUrl"] = graph.BaseUrl,
        ["Graph:TenantId"] = BenchTokens.TenantId,
        ["Graph:Notifications:PublicUrl"] = notifies ? $"http://127.0.0.1:{port}" : null,
        ["Graph:Notifications:DebounceSeconds"] = debounce,
        ["Scheduling:PollSeconds"] = poll,
        ["Store:Path"] = Path.Combine(dir.FullName, "bench.db"),
        ["Logging:LogLevel:Default"] = "Warning",
    });
    service.UseKestrel(port);
    service.StartServer();
    using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    client.DefaultRequestHeaders.Authorization = new("Bearer", BenchTokens.Mint());
    try
    {
        // Enrol (the first call), then wait for the full first scan and, in notify mode, both subscriptions.
        (await client.GetAsync("/api/me")).EnsureSuccessStatusCode();
        await UntilAsync(async () => await IdleAsync(client) && (!notifies || graph.Subscriptions.Count == 2), TimeSpan.FromMinutes(10));
        var inbox = graph.Mailbox.Folder("inbox").Id;
        graph.Latency = TimeSpan.FromMilliseconds(graphLatencyMs); // after the first scan: it would take minutes
        var latencies = new List<double>();
        long requests = 0;
        int deliveriesBefore = graph.Deliveries.Count;
        var random = new Random(17);
        for (int i = 0; i < count; i++)
        {
            await Task.Delay(random.Next(gapMs + 1));
            var address = $"new{i}.{mode}@sender{i % 7}.example";
            if (mode == "busy")
            {
                long asked = graph.RequestCount;
                (await client.PostAsync("/api/me/scan", null)).EnsureSuccessStatusCode();
                await UntilAsync(async () => graph.RequestCount - asked >= busyAfter && await RunningAsync(client), TimeSpan.FromSeconds(60), pollMs: 10);
            }
            long before = graph.RequestCount;
            var started = Stopwatch.GetTimestamp();
            graph.Mailbox.AddMessage(inbox, SyntheticMailbox.Message($"<bench-{mode}-{i}@bench>", DateTimeOffset.UtcNow.AddMinutes(-1), address, owner, Direction.Incoming));
            if (mode == "baseline") (await client.PostAsync("/api/me/scan", null)).EnsureSuccessStatusCode();
            await UntilAsync(async () =>
            {
                using var r = await client.GetAsync($"/api/contacts/{Uri.EscapeDataString(address)}");
                return r.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(120), pollMs: 20);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            await UntilAsync(() => IdleAsync(client), TimeSpan.FromMinutes(2));
            requests += graph.RequestCount - before;
        }
        return (latencies, requests, graph.Deliveries.Count - deliveriesBefore);
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { dir.Delete(recursive: true); } catch (IOException) { }
    }
}

static async Task<bool> RunningAsync(HttpClient client)
{
    using var doc = JsonDocument.Parse(await client.GetStringAsync("/api/me"));
    return doc.RootElement.GetProperty("scanRunning").GetBoolean();
}

static async Task<bool> IdleAsync(HttpClient client)
{
    using var doc = JsonDocument.Parse(await client.GetStringAsync("/api/me"));
    var me = doc.RootElement;
    return !me.GetProperty("firstScanPending").GetBoolean() && !me.GetProperty("scanRunning").GetBoolean() && !me.GetProperty("scanQueued").GetBoolean();
}

static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, int pollMs = 100)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    while (!await condition())
    {
        if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException("condition not reached in time");
        await Task.Delay(pollMs);
    }
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

/// <summary>The service (any type of its assembly names its entry point) with the bench's signing key instead of Entra's metadata.</summary>
sealed class BenchService(Dictionary<string, string?> settings) : WebApplicationFactory<MailRapport.Server.Notifications.NotificationOptions>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IConfigurationManager<OpenIdConnectConfiguration>>();
            services.AddSingleton(BenchTokens.Metadata());
        });
    }
}

/// <summary>An offline stand-in for Entra ID: one signing key, its OpenID configuration, and a token for the bench user.</summary>
static class BenchTokens
{
    public const string ClientId = "11111111-2222-3333-4444-555555555555";
    public const string TenantId = "aaaaaaaa-0000-0000-0000-000000000001";
    public const string ObjectId = "0be4c400-0000-0000-0000-000000000001";
    private static readonly RsaSecurityKey Key = new(RSA.Create(2048)) { KeyId = "bench-key" };

    public static IConfigurationManager<OpenIdConnectConfiguration> Metadata()
    {
        var config = new OpenIdConnectConfiguration { Issuer = "https://login.microsoftonline.com/{tenantid}/v2.0" };
        config.SigningKeys.Add(Key);
        return new StaticConfigurationManager<OpenIdConnectConfiguration>(config);
    }

    public static string Mint() => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = $"https://login.microsoftonline.com/{TenantId}/v2.0",
        Audience = ClientId,
        IssuedAt = DateTime.UtcNow.AddMinutes(-1),
        NotBefore = DateTime.UtcNow.AddMinutes(-1),
        Expires = DateTime.UtcNow.AddHours(4),
        Claims = new Dictionary<string, object>
        {
            ["tid"] = TenantId, ["oid"] = ObjectId, ["preferred_username"] = "bench.owner@contoso.example", ["scp"] = "access_as_user", ["ver"] = "2.0",
        },
        SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
    });
}
