using MailRapport.FakeGraph;
using MailRapport.Server.Notifications;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MailRapport.Server.Tests.Notifications;

/// <summary>
/// The service in-process (Entra mode, recording scanner) against the fake Graph server, which delivers its handshakes
/// and notifications to the service's in-process handler (a test host has no port). Graph and the service share one clock.
/// </summary>
public sealed class NotificationHarness : IAsyncDisposable
{
    public const string Mailbox = "alice@contoso.com";

    private readonly bool ownsGraph;

    private readonly TestStore? database;

    private NotificationHarness(FakeGraphServer graph, ServiceFactory service, bool ownsGraph, TestStore? database)
    {
        Graph = graph;
        Service = service;
        this.ownsGraph = ownsGraph;
        this.database = database;
    }

    public FakeGraphServer Graph { get; }
    public ServiceFactory Service { get; }

    public SubscriptionManager Subscriptions => Service.Services.GetRequiredService<SubscriptionManager>();
    public SubscriptionStore Store => Service.Services.GetRequiredService<SubscriptionStore>();
    public MailboxRegistry Registry => Service.Services.GetRequiredService<MailboxRegistry>();
    public NotificationCounts Counts => Service.Services.GetRequiredService<NotificationCounts>();
    public FakeMailbox FakeMailbox => Graph.Mailbox;

    /// <param name="storePath">A database file to share with another harness (a restart); a fresh one when null.</param>
    /// <param name="graph">A Graph server to share with another harness (kept when this one is disposed).</param>
    /// <param name="provider">PostgreSQL: a fresh database for the store and Hangfire's jobs, dropped on dispose.</param>
    /// <param name="realScanner">The service's own Graph scanner (reading the fake Graph server) instead of the recording one.</param>
    public static async Task<NotificationHarness> StartAsync(TimeProvider? clock = null, int debounceSeconds = 3, string? storePath = null,
        Action<ServiceFactory>? configure = null, FakeGraphServer? graph = null, StoreProvider provider = StoreProvider.Sqlite, bool realScanner = false)
    {
        bool ownsGraph = graph is null;
        if (graph is null)
        {
            graph = await FakeGraphServer.StartAsync(new FakeMailbox(Mailbox, "Alice"));
            graph.AddUser(TestTokens.Alice.ObjectId, Mailbox, Mailbox);
        }
        if (clock is not null) graph.SubscriptionClock = clock;
        var handler = new LateHandler();
        graph.NotificationHandler = handler;
        var service = new ServiceFactory(entra: true) { Clock = clock, RealScanner = realScanner };
        TestStore? database = null;
        if (provider == StoreProvider.Postgres)
        {
            database = await TestStore.PostgresAsync();
            service.Settings["Store:Provider"] = "Postgres";
            service.Settings["Store:ConnectionString"] = database.Options.ConnectionString;
        }
        service.Settings["Graph:BaseUrl"] = graph.BaseUrl;
        service.Settings["Graph:Notifications:PublicUrl"] = "http://localhost";
        service.Settings["Graph:Notifications:DebounceSeconds"] = debounceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (storePath is not null) service.Settings["Store:Path"] = storePath;
        configure?.Invoke(service);
        _ = service.Server; // started; from here on Graph can reach it
        handler.Inner = service.Server.CreateHandler();
        await service.WaitForJobsIdleAsync(); // the maintenance run at start
        // The recurring run would fire on the wall clock in the middle of a test: tests call the manager themselves.
        service.Services.GetRequiredService<Hangfire.IRecurringJobManager>().RemoveIfExists(SubscriptionJob.MaintainJobId);
        return new NotificationHarness(graph, service, ownsGraph, database);
    }

    /// <summary>Registers the mailbox (no scan queued) and subscribes it.</summary>
    public async Task SubscribeAsync(string mailboxId = Mailbox)
    {
        await Registry.EnsureAsync(mailboxId, MailboxOrigin.Configured);
        Assert.Equal(2, await Subscriptions.EnsureAsync(mailboxId));
    }

    public FakeSubscription GraphSubscription(string kind) => Assert.Single(Graph.Subscriptions, s => s.Kind == kind);

    public async ValueTask DisposeAsync()
    {
        Service.Dispose();
        if (ownsGraph) await Graph.DisposeAsync();
        if (database is not null) await database.DisposeAsync();
    }

    /// <summary>Forwards to the service's handler once it exists; before that, as if the service were not listening yet.</summary>
    private sealed class LateHandler : HttpMessageHandler
    {
        public HttpMessageHandler? Inner { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) => Inner is { } inner
            ? new HttpMessageInvoker(inner, disposeHandler: false).SendAsync(request, ct)
            : Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable));
    }
}
