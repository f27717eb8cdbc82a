using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MailRapport.Core;
using MailRapport.FakeGraph;
using MailRapport.Server.Graph;
using MailRapport.Server.Profiles;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;

// Graph scan benchmark. The fake Graph server runs in a child process so the scanner's peak memory is its own.
//   dotnet run -c Release --project bench/GraphScanBench -- [--messages 200000] [--meetings 2000] [--page-size 500]
//   add --full-only to stop after the full scan and the rescan (for profiling); --warm to measure both after a throw-away scan (no JIT)
//   dotnet run -c Release --project bench/GraphScanBench -- serve [--messages N]   (just serve, for `mailrapport scan`)
//   dotnet run -c Release --project bench/GraphScanBench -- store-only [--messages N]   (the store's share of a scan, apart)
//   dotnet run -c Release --project bench/GraphScanBench -- recompute-only [--messages N] [--meetings N] [--dump FILE]   (the profile recompute, apart)
var argList = args.ToList();
int Arg(string name, int fallback)
{
    int i = argList.IndexOf(name);
    return i >= 0 && i + 1 < argList.Count ? int.Parse(argList[i + 1], CultureInfo.InvariantCulture) : fallback;
}
int messageCount = Arg("--messages", 200_000);
int meetingCount = Arg("--meetings", 2_000);
int pageSize = Arg("--page-size", 500);
var now = new DateTimeOffset(2026, 11, 1, 6, 0, 0, TimeSpan.Zero);

if (argList.FirstOrDefault() == "serve")
{
    var (m, e) = SyntheticMailbox.Generate(messageCount, meetingCount, now, seed: 11);
    var box = SyntheticMailbox.Build(SyntheticMailbox.Owner, m, e, seed: 11);
    await using var server = await FakeGraphServer.StartAsync(box);
    server.RecordRequests = false;
    Console.WriteLine($"LISTENING {server.BaseUrl} mailbox {SyntheticMailbox.Owner} messages-served {box.Messages.Count}");
    Console.Out.Flush();
    await Console.In.ReadLineAsync(); // the parent closes stdin when it is done
    return 0;
}

if (argList.FirstOrDefault() == "store-only")
{
    var storeDir = Path.Combine(Path.GetTempPath(), "graph-bench-store-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(storeDir);
    try { await StoreOnly.RunAsync(messageCount, pageSize, now, storeDir); }
    finally { Directory.Delete(storeDir, true); }
    return 0;
}

if (argList.FirstOrDefault() == "recompute-only") // RecomputeOnly.cs
    return await RecomputeOnly.RunAsync(messageCount, meetingCount, now, argList.IndexOf("--dump") is var d and >= 0 ? argList[d + 1] : null);

// ---- parent: start the server process ----
var self = Environment.ProcessPath!;
var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(FixedClock).Assembly.Location);
foreach (var a in new[] { "serve", "--messages", messageCount.ToString(CultureInfo.InvariantCulture), "--meetings", meetingCount.ToString(CultureInfo.InvariantCulture) })
    start.ArgumentList.Add(a);
using var child = Process.Start(start)!;
string? line;
while ((line = await child.StandardOutput.ReadLineAsync()) is not null && !line.StartsWith("LISTENING ", StringComparison.Ordinal)) { }
if (line is null) throw new InvalidOperationException("fake server did not start");
var parts = line.Split(' ');
var baseUrl = parts[1];
var owner = parts[3];
int served = int.Parse(parts[5], CultureInfo.InvariantCulture);
Console.WriteLine($"fake Graph at {baseUrl}: {messageCount} generated messages ({served} served incl. copies in two folders and excluded-folder noise), {meetingCount} meetings, page size {pageSize}");

var dir = Path.Combine(Path.GetTempPath(), "graph-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(dir);
try
{
    var options = new GraphOptions { BaseUrl = baseUrl, PageSize = pageSize };
    var time = new FixedClock(now);

    // 1. Raw baseline: HttpClient + System.Text.Json over the same endpoints, no SDK, no store.
    var cpu = Cpu();
    var jit = System.Runtime.JitInfo.GetCompilationTime();
    var raw = await RawBaseline.RunAsync(baseUrl, owner, pageSize, options, now);
    var rawCpu = Cpu() - cpu;
    var rawJit = System.Runtime.JitInfo.GetCompilationTime() - jit;
    Console.WriteLine($"baseline (raw HttpClient, parse only): {raw.Items} items, {raw.Requests} requests, {raw.Elapsed.TotalSeconds:0.00} s wall, {rawCpu.TotalSeconds:0.00} s CPU, {raw.Items / raw.Elapsed.TotalSeconds:0} items/s");

    if (argList.Contains("--warm"))
    {
        // Steady state: pay the one-time JIT of both paths first (a throw-away scan into a scratch store), then measure
        // the baseline again; the full scan below then runs on compiled code too.
        await using var warmStore = MailStore.OpenSqlite(Path.Combine(dir, "warm.db"));
        await warmStore.MigrateAsync();
        var warmProfiles = new ProfileService(new InteractionStore(warmStore), new ProfileStore(warmStore), new FeedbackStore(warmStore), new RelationshipModel(new StageModelOptions()));
        var warmFactory = new MailGraphClientFactory(options);
        await new GraphMailboxScanner(warmFactory.Create(), warmStore, warmProfiles, options, time, warmFactory.Counter).ScanAsync(owner);
        cpu = Cpu();
        jit = System.Runtime.JitInfo.GetCompilationTime();
        raw = await RawBaseline.RunAsync(baseUrl, owner, pageSize, options, now);
        rawCpu = Cpu() - cpu;
        rawJit = System.Runtime.JitInfo.GetCompilationTime() - jit;
        Console.WriteLine($"baseline again, warm: {rawCpu.TotalSeconds:0.00} s CPU");
    }
    // 2. Full scan through the real SDK path into SQLite (or, with --postgres, a fresh database on MAILRAPPORT_TEST_POSTGRES).
    await using var store = argList.Contains("--postgres") ? await PostgresBench.CreateAsync() : MailStore.OpenSqlite(Path.Combine(dir, "bench.db"));
    await store.MigrateAsync();
    Console.WriteLine($"store: {store.Provider} at {store.Location}");
    var profiles = new ProfileService(new InteractionStore(store), new ProfileStore(store), new FeedbackStore(store), new RelationshipModel(new StageModelOptions()));
    var factory = new MailGraphClientFactory(options);
    var scanner = new GraphMailboxScanner(factory.Create(), store, profiles, options, time, factory.Counter);
    long allocatedBefore = GC.GetTotalAllocatedBytes();
    cpu = Cpu();
    jit = System.Runtime.JitInfo.GetCompilationTime();
    long jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
    TimeSpan? readCpu = null; // Graph + store, up to the profile recompute
    long? readAllocated = null;
    var full = await scanner.ScanAsync(owner, new PhaseWatch(p =>
    {
        if (p.Phase != "profiles" || readCpu is not null) return;
        readCpu = Cpu() - cpu;
        readAllocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
    }));
    var fullCpu = Cpu() - cpu;
    var fullJit = System.Runtime.JitInfo.GetCompilationTime() - jit;
    Console.WriteLine($"JIT (compiling methods, on any thread): baseline {rawJit.TotalSeconds:0.00} s; full scan {fullJit.TotalSeconds:0.00} s, {System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods} methods");
    var peak = Process.GetCurrentProcess().PeakWorkingSet64;
    long storedMessages = 0, storedMeetings = 0;
    await foreach (var i in new InteractionStore(store).ReadInteractionsAsync(owner))
        if (i.Message is not null) storedMessages++; else storedMeetings++;
    var folderList = await scanner.StoredCorrespondenceFoldersAsync(owner, default);
    int folders = folderList.Count;
    long bound = (long)Math.Ceiling((double)storedMessages / pageSize) + folders;
    Console.WriteLine($"full scan (SDK + {store.Provider} + profiles): {storedMessages} messages, {storedMeetings} meetings stored, {full.Requests} requests " +
                      $"(bound ceil(messages/page) + folders = {bound} + constant), {full.Elapsed.TotalSeconds:0.00} s wall, {fullCpu.TotalSeconds:0.00} s CPU, " +
                      $"{full.MessagesUpserted / full.Elapsed.TotalSeconds:0} messages/s, peak working set {peak / 1048576.0:0} MiB, " +
                      $"allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1048576.0:0} MiB");
    Console.WriteLine($"  of which reading (Graph + store, before the profile recompute): {readCpu?.TotalSeconds:0.00} s CPU ({readCpu / rawCpu:0.00}x baseline), " +
                      $"{readAllocated / 1048576.0:0} MiB allocated ({readAllocated / 1024.0 / storedMessages:0.0} KB per message); " +
                      $"full scan allocations {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1024.0 / storedMessages:0.0} KB per message");

    // 3. Unchanged nightly rescan (Graph part and the profile recompute that follows it, timed apart).
    var rescanClock = Stopwatch.StartNew();
    TimeSpan? graphPart = null;
    var rescan = await scanner.ScanAsync(owner, new PhaseWatch(p => { if (p.Phase == "profiles") graphPart ??= rescanClock.Elapsed; }));
    Console.WriteLine($"unchanged rescan: {rescan.Requests} requests for {folders} folders + 1 calendar window, {rescan.Elapsed.TotalSeconds:0.00} s " +
                      $"({graphPart?.TotalSeconds:0.00} s Graph + store, the rest recomputing {storedMessages + storedMeetings} interactions' profiles)");

    if (argList.Contains("--full-only")) return 0; // for profiling the full scan alone
    // 4. SDK paging only (same requests as the full scan, no store): the SDK's own cost against the raw baseline.
    cpu = Cpu();
    var sdkOnly = await SdkPaging.RunAsync(new MailGraphClientFactory(options), owner, folderList, pageSize, options, now);
    var sdkCpu = Cpu() - cpu;
    Console.WriteLine($"SDK paging only (parse, no store): {sdkOnly.Items} items, {sdkOnly.Requests} requests, {sdkOnly.Elapsed.TotalSeconds:0.00} s wall, {sdkCpu.TotalSeconds:0.00} s CPU");
    // 5. The scanner's own reading with no store: what the full scan's reading costs before SQLite.
    cpu = Cpu();
    long allocatedBeforeReading = GC.GetTotalAllocatedBytes();
    var own = await ScannerPaging.RunAsync(new MailGraphClientFactory(options), owner, folderList, options, now);
    var ownCpu = Cpu() - cpu;
    Console.WriteLine($"scanner reading only (SDK requests, own parsing, mapping, no store): {own.Items} items, {own.Requests} requests, {own.Elapsed.TotalSeconds:0.00} s wall, " +
                      $"{ownCpu.TotalSeconds:0.00} s CPU ({ownCpu / rawCpu:0.00}x baseline), {(GC.GetTotalAllocatedBytes() - allocatedBeforeReading) / 1024.0 / own.Items:0.0} KB allocated per item");
    Console.WriteLine($"ratios (wall / CPU): SDK paging / raw = {sdkOnly.Elapsed / raw.Elapsed:0.00}x / {sdkCpu / rawCpu:0.00}x; " +
                      $"full scan (SDK + store + profiles) / raw = {full.Elapsed / raw.Elapsed:0.00}x / {fullCpu / rawCpu:0.00}x");
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        messageCount, served, pageSize, folders, storedMessages, storedMeetings,
        fullRequests = full.Requests, bound, fullSeconds = full.Elapsed.TotalSeconds, messagesPerSecond = full.MessagesUpserted / full.Elapsed.TotalSeconds,
        peakMiB = peak / 1048576.0, rescanRequests = rescan.Requests, rescanSeconds = rescan.Elapsed.TotalSeconds, rescanGraphSeconds = graphPart?.TotalSeconds,
        rawSeconds = raw.Elapsed.TotalSeconds, rawCpuSeconds = rawCpu.TotalSeconds, rawRequests = raw.Requests, fullCpuSeconds = fullCpu.TotalSeconds,
        readCpuSeconds = readCpu?.TotalSeconds, readAllocatedMiB = readAllocated / 1048576.0,
        sdkPagingSeconds = sdkOnly.Elapsed.TotalSeconds, sdkPagingCpuSeconds = sdkCpu.TotalSeconds,
        scannerReadingSeconds = own.Elapsed.TotalSeconds, scannerReadingCpuSeconds = ownCpu.TotalSeconds,
    }));
    return 0;
}
finally
{
    child.StandardInput.Close();
    if (!child.WaitForExit(10_000)) child.Kill();
    try { Directory.Delete(dir, true); } catch (IOException) { }
    await PostgresBench.DropAsync();
}

static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal sealed class PhaseWatch(Action<ScanProgress> report) : IProgress<ScanProgress>
{
    public void Report(ScanProgress value) => report(value);
}

internal sealed record PagingResult(long Items, long Requests, TimeSpan Elapsed);

/// <summary>A throwaway PostgreSQL database for --postgres (dropped at the end), on the test server's connection string.</summary>
internal static class PostgresBench
{
    private static string? server, name;

    public static async Task<MailStore> CreateAsync()
    {
        server = Environment.GetEnvironmentVariable("MAILRAPPORT_TEST_POSTGRES") ?? throw new InvalidOperationException("--postgres needs MAILRAPPORT_TEST_POSTGRES (bash tests/scripts/postgres.sh).");
        name = "mr_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new Npgsql.NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        return MailStore.Open(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ToString() });
    }

    public static async Task DropAsync()
    {
        if (server is null || name is null) return;
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var admin = new Npgsql.NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
