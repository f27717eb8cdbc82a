using System.Collections.Concurrent;
using System.Text.Json;
using MailRapport.Core;
using MailRapport.FakeGraph;
using MailRapport.Server.Api;
using MailRapport.Server.Graph;
using MailRapport.Server.Profiles;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Graph;

/// <summary>A fixed clock: calendar windows and profile dates must not depend on when the test runs.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Counts requests at the transport and cancels a scan after a set number of them (a kill at that point).</summary>
internal sealed class KillSwitchHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private int _count;
    public int KillAfter { get; set; } = int.MaxValue;
    public CancellationTokenSource Cts { get; set; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _count) > KillAfter) Cts.Cancel();
        return base.SendAsync(request, ct);
    }

    public void Reset(int killAfter)
    {
        _count = 0;
        KillAfter = killAfter;
        Cts = new CancellationTokenSource();
    }
}

/// <summary>A SQLite store and a scanner wired to a fake Graph server through the real SDK client.</summary>
internal sealed class GraphScanHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private readonly string _dir;
    public MailStore Store { get; }
    public GraphOptions Options { get; }
    public FixedTimeProvider Time { get; } = new(Now);
    public ConcurrentQueue<TimeSpan> Delays { get; } = new();
    public KillSwitchHandler Transport { get; } = new();
    public MailGraphClientFactory Factory { get; }
    public GraphMailboxScanner Scanner { get; }
    public ProfileService Profiles { get; }

    private GraphScanHarness(string dir, MailStore store, GraphOptions options)
    {
        _dir = dir;
        Store = store;
        Options = options;
        Factory = new MailGraphClientFactory(options, (wait, _) => { Delays.Enqueue(wait); return Task.CompletedTask; }, Transport);
        Profiles = store.ProfileService();
        Scanner = new GraphMailboxScanner(Factory.Create(), store, Profiles, options, Time, Factory.Counter);
    }

    public static async Task<GraphScanHarness> CreateAsync(FakeGraphServer server, Action<GraphOptions>? configure = null,
        StoreProvider provider = StoreProvider.Sqlite)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mailrapport-graph-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        // Both stores come from the suite's TestStore (a temp SQLite file, or a fresh PostgreSQL database it drops).
        var testStore = await TestStore.CreateAsync(provider);
        var store = testStore.Store;
        // Pages of 7 committed two at a time (ItemsPerCommit 10): rounds end on a held page and on a committed one.
        var options = new GraphOptions { BaseUrl = server.BaseUrl, PageSize = 7, ItemsPerCommit = 10, MaxRetries = 6 };
        configure?.Invoke(options);
        return new GraphScanHarness(dir, store, options) { _testStore = testStore };
    }

    private TestStore? _testStore;

    public Task<ScanResult> ScanAsync(string mailbox, CancellationToken ct = default) => Scanner.ScanAsync(mailbox, null, ct);

    public (DateTimeOffset Start, DateTimeOffset End) CalendarWindow() => Scanner.CalendarWindow(Time.GetUtcNow());

    /// <summary>Stored messages and meetings as canonical JSON lines, sorted by key.</summary>
    public async Task<(List<string> Messages, List<string> Meetings)> SnapshotAsync(string mailbox)
    {
        var messages = new List<string>();
        var meetings = new List<string>();
        await foreach (var i in Store.Interactions().ReadInteractionsAsync(mailbox))
        {
            if (i.Message is { } m) messages.Add(Serialize(m));
            else meetings.Add(Serialize(i.Meeting!));
        }
        messages.Sort(StringComparer.Ordinal);
        meetings.Sort(StringComparer.Ordinal);
        return (messages, meetings);
    }

    public static string Serialize(MessageInteraction m) => m.Key + " " + JsonSerializer.Serialize(m with { Counterparts = m.Counterparts.ToArray() }, Json);
    public static string Serialize(MeetingInteraction m) => m.Key + " " + JsonSerializer.Serialize(m with { Attendees = m.Attendees.ToArray() }, Json);

    /// <summary>Loads the served mailbox's expected interactions straight into a fresh store (no Graph), for comparison.</summary>
    public async Task<(List<string> Messages, List<string> Meetings, string Profiles)> DirectLoadAsync(FakeMailbox box)
    {
        var dir = Path.Combine(_dir, "direct-" + Guid.NewGuid().ToString("N"));
        await using var direct = MailStore.OpenSqlite(Path.Combine(dir, "direct.db"));
        await direct.MigrateAsync();
        var scanned = await Store.Interactions().GetMailboxAsync(box.Owner) ?? throw new InvalidOperationException("scan first");
        await direct.Interactions().UpsertMailboxAsync(scanned);
        var (start, end) = CalendarWindow();
        await direct.Interactions().UpsertMessagesAsync(box.Owner, box.ExpectedMessages(Options.ExcludedWellKnownFolders).Select(Canonical));
        // Graph reports "organizer" as the response of the meeting's organizer, whatever else a generator says.
        // Attendees are "everyone but the organizer", once each.
        await direct.Interactions().UpsertMeetingsAsync(box.Owner, box.ExpectedMeetings(start, end).Select(m => m with
        {
            OwnerResponse = scanned.OwnerAddresses.Contains(m.Organizer) ? AttendeeResponse.Organizer : m.OwnerResponse,
            Attendees = m.Attendees.Where(a => a.Address != m.Organizer).DistinctBy(a => a.Address).ToArray(),
        }));
        var profiles = await direct.ProfileService().ComputeAsync(box.Owner, Now);
        var messages = new List<string>();
        var meetings = new List<string>();
        await foreach (var i in direct.Interactions().ReadInteractionsAsync(box.Owner))
        {
            if (i.Message is { } m) messages.Add(Serialize(m));
            else meetings.Add(Serialize(i.Meeting!));
        }
        messages.Sort(StringComparer.Ordinal);
        meetings.Sort(StringComparer.Ordinal);
        return (messages, meetings, ProfilesJson(profiles));
    }

    public async Task<string> ProfilesJsonAsync(string mailbox) =>
        ProfilesJson(await Profiles.ComputeAsync(mailbox, Now));

    /// <summary>Profiles in the API's shape, compact.</summary>
    private static string ProfilesJson(IEnumerable<ContactProfile> profiles) =>
        JsonSerializer.Serialize(profiles.Select(ContactMapping.ToResponse).ToList(), ApiJsonContext.Default.ListContactResponse);

    /// <summary>Only what Graph can carry: outgoing mail has no owner role.
    /// Keys follow the project's message-id normalisation (no angle brackets, lower case), as the importer does.</summary>
    private static MessageInteraction Canonical(MessageInteraction m) => m with
    {
        Key = m.Key.Trim().Trim('<', '>').ToLowerInvariant(),
        OwnerRole = m.Direction == Direction.Outgoing ? RecipientRole.To : m.OwnerRole,
    };

    public async ValueTask DisposeAsync()
    {
        if (_testStore is not null) await _testStore.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

internal static class LineAssert
{
    /// <summary>Equal lists, reporting the first differing line in full.</summary>
    public static void Same(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
            Assert.Equal(expected[i], actual[i]);
        Assert.Equal(expected.Count, actual.Count);
    }
}

