using System.Diagnostics;
using System.Globalization;
using MailRapport.Core;

// Features and stages for N interactions over C correspondents, streamed in time order (never held in memory).
// Baseline in the same run: the cheapest possible pass over the same stream (count per correspondent).
// Only the processing is timed; generating the synthetic stream is not.
// With R > 1 the baseline and the model run R times, alternating, and the fastest CPU time of each is compared
// (on a loaded machine the fastest run is the one least disturbed).
// Usage: dotnet run -c Release --project bench/ModelBench [-- N C [R]]
long n = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
int c = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
int runs = args.Length > 2 ? Math.Max(1, int.Parse(args[2], CultureInfo.InvariantCulture)) : 1;
const string Owner = "owner@bench.example";

Console.WriteLine($"ModelBench: {n:N0} interactions, {c:N0} correspondents, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Measure("warm-up", 200_000, 2_000, model: true);
var baseline = (Seconds: double.MaxValue, RetainedMb: 0.0);
var full = (Seconds: double.MaxValue, RetainedMb: 0.0);
for (int run = 0; run < runs; run++)
{
    var b = Measure("baseline (count per correspondent)", n, c, model: false, baseline: true);
    var m = Measure("model (features + stages + reasons)", n, c, model: true);
    if (b.Seconds < baseline.Seconds) baseline = b;
    if (m.Seconds < full.Seconds) full = m;
}
Console.WriteLine();
Console.WriteLine($"model / baseline CPU time: {full.Seconds / baseline.Seconds:0.00}x; model {full.Seconds:0.000} s CPU (target: under 2 s)"
    + (runs > 1 ? $"; fastest of {runs} runs each" : ""));
Console.WriteLine("Retained memory after feeding, by size (grows with correspondents, not with messages):");
foreach (var (nn, cc) in new[] { (n / 10, c), (n, c), (n, c / 10) })
{
    var r = Measure($"  {nn:N0} interactions / {cc:N0} correspondents", nn, cc, model: true, quiet: true);
    Console.WriteLine($"  {nn,12:N0} interactions {cc,8:N0} correspondents: retained {r.RetainedMb,7:0.0} MB, {r.RetainedMb * 1024 / cc:0.0} KB per correspondent, {r.Seconds:0.00} s CPU");
}
Console.WriteLine($"Peak working set of the process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MB");

static (double Seconds, double RetainedMb) Measure(string label, long n, int c, bool model, bool baseline = false, bool quiet = false)
{
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    // Interactions are generated in chunks outside the timed sections, so only the model's own work is timed
    // and the input is never held in memory whole.
    var work = new CpuStopwatch();
    double retained = 0;
    if (model)
    {
        var builder = new RelationshipModel(new StageModelOptions()).CreateBuilder([Owner]);
        foreach (var chunk in Chunks(n, c))
        {
            work.Start();
            foreach (var i in chunk) builder.Add(i);
            work.Stop();
        }
        var feed = work.Elapsed;
        retained = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        var feedCpu = work.Cpu;
        var build = new CpuStopwatch();
        build.Start();
        var profiles = builder.Build(End(n));
        build.Stop();
        var total = feed + build.Elapsed;
        var cpu = feedCpu + build.Cpu;
        if (!quiet) Console.WriteLine($"{label,-40} {total.TotalSeconds,7:0.000} s wall, {cpu.TotalSeconds,6:0.000} s CPU  (feed {feed.TotalSeconds:0.000} s, build {build.Elapsed.TotalSeconds:0.000} s; {profiles.Count:N0} profiles, {profiles.Count(p => p.Stage == Stage.Relationship):N0} relationships)");
        return (cpu.TotalSeconds, retained);
    }
    var counts = new Dictionary<string, int>();
    long seen = 0;
    foreach (var chunk in Chunks(n, c))
    {
        work.Start();
        foreach (var i in chunk)
        {
            seen++;
            if (baseline && i.Message is { } m)
            {
                var key = m.Direction == Direction.Incoming ? m.From : m.Counterparts[0].Address;
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        work.Stop();
    }
    if (!quiet) Console.WriteLine($"{label,-40} {work.Elapsed.TotalSeconds,7:0.000} s wall, {work.Cpu.TotalSeconds,6:0.000} s CPU  ({seen:N0} items)");
    return (work.Cpu.TotalSeconds, 0);
}

static IEnumerable<List<Interaction>> Chunks(long n, int c)
{
    var chunk = new List<Interaction>(50_000);
    foreach (var i in Stream(n, c))
    {
        chunk.Add(i);
        if (chunk.Count == chunk.Capacity) { yield return chunk; chunk = new List<Interaction>(50_000); }
    }
    if (chunk.Count > 0) yield return chunk;
}

static DateTimeOffset Start() => new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
static DateTimeOffset End(long n) => Start().AddMinutes(n * 1.0 + 1);

// A deterministic stream: one interaction a minute on average; skewed choice of correspondent; threads of a few
// messages; 3% meetings; 5% of messages with several recipients.
static IEnumerable<Interaction> Stream(long n, int c)
{
    if (n == 0 || c == 0) yield break;
    var rng = new Random(12345);
    var addresses = Enumerable.Range(0, c).Select(i => $"person{i}@corp{i % 97}.example").ToArray();
    var thread = new int[c];
    var t = Start();
    for (long k = 0; k < n; k++)
    {
        t = t.AddSeconds(1 + rng.Next(118));
        double u = rng.NextDouble();
        int who = (int)(c * u * u); // skewed: a few correspondents get most mail
        if (rng.Next(4) == 0) thread[who]++;
        string conversation = $"c{who}.{thread[who]}";
        if (rng.Next(33) == 0)
        {
            yield return new MeetingInteraction
            {
                Key = $"e{k}", Organizer = Owner, Start = t, End = t.AddMinutes(30),
                Attendees = [new Attendee(addresses[who], null, AttendeeKind.Required, AttendeeResponse.Accepted),
                             new Attendee(addresses[(who + 1) % c], null, AttendeeKind.Required, AttendeeResponse.Accepted)],
            };
            continue;
        }
        bool outgoing = rng.Next(2) == 0;
        int recipients = rng.Next(20) == 0 ? 2 + rng.Next(20) : 1;
        yield return new MessageInteraction
        {
            Key = $"<{k}@bench>", Timestamp = t, Direction = outgoing ? Direction.Outgoing : Direction.Incoming,
            From = outgoing ? Owner : addresses[who],
            Counterparts = outgoing
                ? [new Counterpart(addresses[who], null, RecipientRole.To)]
                : [new Counterpart(addresses[who], null, RecipientRole.From)],
            RecipientCount = recipients, ConversationId = conversation, IsReply = rng.Next(2) == 0,
        };
    }
}

/// <summary>Wall time and this process's CPU time over the started intervals (CPU time is steadier on a shared machine).</summary>
sealed class CpuStopwatch
{
    private readonly Stopwatch _wall = new();
    private TimeSpan _cpu, _cpuStart;

    public TimeSpan Elapsed => _wall.Elapsed;
    public TimeSpan Cpu => _cpu;

    public void Start() { _cpuStart = Process.GetCurrentProcess().TotalProcessorTime; _wall.Start(); }

    public void Stop() { _wall.Stop(); _cpu += Process.GetCurrentProcess().TotalProcessorTime - _cpuStart; }
}
