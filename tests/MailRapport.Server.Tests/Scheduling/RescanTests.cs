using System.Collections.Concurrent;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MailRapport.Server.Tests.Scheduling;

/// <summary>
/// A scan asked for while one runs (a change notification during a scan) is handed to the running scan, which runs once
/// more as soon as it ends: not Scheduling:BusyRetrySeconds later, and once however many asked. The service's clock is
/// fake and never moves; the jobs go to a recording queue the test runs by hand, so nothing waits on a timer.
/// </summary>
public sealed class RescanTests
{
    internal const string Mailbox = "alice@contoso.com";

    public static TheoryData<StoreProvider, int> Cases => new()
    {
        { StoreProvider.Sqlite, 1 }, { StoreProvider.Sqlite, 3 },
        { StoreProvider.Postgres, 1 }, { StoreProvider.Postgres, 3 },
    };

    [PostgresTheory]
    [MemberData(nameof(Cases))]
    public async Task Notifications_during_a_scan_make_one_follow_up_scan_as_soon_as_it_ends(StoreProvider provider, int notifications)
    {
        await using var env = await Environment.StartAsync(provider);
        env.Scanner.Hold();
        var running = env.Runner.RunAsync(Mailbox);
        await env.Scanner.WaitForAsync(() => env.Scanner.CountFor(Mailbox) == 1);

        // The notifications: one debounced job, the others find the mailbox queued.
        Assert.True(await env.Scheduler.ScanSoonAsync(Mailbox, TimeSpan.FromSeconds(2)));
        for (int i = 1; i < notifications; i++) Assert.False(await env.Scheduler.ScanSoonAsync(Mailbox, TimeSpan.FromSeconds(2)));
        var debounced = Assert.Single(env.Jobs.Take());
        Assert.IsType<ScheduledState>(debounced.State);

        // Its debounce over, the job finds the scan still running: it hands itself over and schedules nothing.
        await env.RunAsync(debounced);
        Assert.Empty(env.Jobs.Take());
        var handed = (await env.Registry.GetAsync(Mailbox))!;
        Assert.True(handed is { ScanRunning: true, ScanQueued: true, ScanRescan: true });
        // A notification after the hand-over is covered by the follow-up too.
        Assert.False(await env.Scheduler.ScanSoonAsync(Mailbox, TimeSpan.FromSeconds(2)));

        env.Scanner.Release();
        await running;
        Assert.Equal(2, env.Scanner.CountFor(Mailbox)); // the follow-up ran in the same run, right after the first
        Assert.Equal(1, env.Scanner.MaxOverlap);
        Assert.Empty(env.Jobs.Take());
        var after = (await env.Registry.GetAsync(Mailbox))!;
        Assert.True(after is { ScanRunning: false, ScanQueued: false, ScanRescan: false, ScanError: null });
        Assert.Equal(env.Clock.GetUtcNow(), after.ScanFinishedAt); // the clock never moved: nothing waited
    }

    [PostgresTheory]
    [MemberData(nameof(StoreProviders))]
    public async Task A_run_that_reached_its_passes_queues_the_follow_up_at_once_instead(StoreProvider provider)
    {
        await using var env = await Environment.StartAsync(provider);
        // Every pass of the first run meets a new notification, whose job hands itself over: after its last pass the
        // run leaves the follow-up to a new job, enqueued at once, so a busy mailbox does not hold a worker for ever.
        env.Scanner.Write = async (mailbox, phase, ct) =>
        {
            if (phase == 1 && env.Scanner.CountFor(mailbox) <= ScanRunner.MaxPassesPerRun
                && await env.Scheduler.ScanSoonAsync(mailbox, TimeSpan.FromSeconds(2), ct))
                foreach (var job in env.Jobs.Take()) await env.RunAsync(job);
        };
        await env.Job.ScanAsync(Mailbox, null, null, CancellationToken.None);
        Assert.Equal(ScanRunner.MaxPassesPerRun, env.Scanner.CountFor(Mailbox));
        Assert.True((await env.Registry.GetAsync(Mailbox))! is { ScanRunning: false, ScanQueued: true, ScanRescan: false });
        var enqueued = Assert.Single(env.Jobs.Take());
        Assert.IsType<EnqueuedState>(enqueued.State);

        await env.RunAsync(enqueued);
        Assert.Equal(ScanRunner.MaxPassesPerRun + 1, env.Scanner.CountFor(Mailbox));
        Assert.True((await env.Registry.GetAsync(Mailbox))! is { ScanRunning: false, ScanQueued: false });
        Assert.Empty(env.Jobs.Take());
    }

    public static TheoryData<StoreProvider> StoreProviders => new() { StoreProvider.Sqlite, StoreProvider.Postgres };

    /// <summary>The rescan mark's races, on the registry alone: a request is never lost, whichever statement wins.</summary>
    [Theory]
    [InlineData(true)]   // the request lands before the owner ends its scan: the owner runs again
    [InlineData(false)]  // the owner ends first: the request finds no running scan and claims the lease itself
    public async Task A_rescan_request_racing_the_end_of_the_scan_is_never_lost(bool requestFirst)
    {
        await using var db = await TestStore.SqliteAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var registry = new MailboxRegistry(db.Store, clock);
        await registry.EnsureAsync(Mailbox, MailboxOrigin.Configured);
        var expired = clock.GetUtcNow().AddMinutes(-2);
        Assert.True(await registry.TryClaimAsync(Mailbox, "owner", expired));
        Assert.False(await registry.TryClaimAsync(Mailbox, "job", expired));

        if (requestFirst)
        {
            Assert.True(await registry.TryRequestRescanAsync(Mailbox, expired));
            Assert.Equal(ScanFinish.RunAgain, await registry.FinishAsync(Mailbox, "owner"));
            Assert.True((await registry.GetAsync(Mailbox))! is { ScanRunning: true, ScanQueued: false, ScanRescan: false });
            Assert.Equal(ScanFinish.Finished, await registry.FinishAsync(Mailbox, "owner"));
        }
        else
        {
            Assert.Equal(ScanFinish.Finished, await registry.FinishAsync(Mailbox, "owner"));
            Assert.False(await registry.TryRequestRescanAsync(Mailbox, expired));
            Assert.True(await registry.TryClaimAsync(Mailbox, "job", expired));
        }
        // A lapsed lease (its host died) is not handed anything: it is taken over.
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(await registry.TryRequestRescanAsync(Mailbox, clock.GetUtcNow().AddMinutes(-2)));
    }

    /// <summary>The service on a fake clock (its Hangfire server idle), with jobs sent to <see cref="RecordingJobs"/>.</summary>
    internal sealed class Environment : IAsyncDisposable
    {
        private readonly ServiceFactory factory;
        private readonly TestStore? db;

        private Environment(ServiceFactory factory, TestStore? db)
        {
            this.factory = factory;
            this.db = db;
            var services = factory.Services;
            Registry = services.GetRequiredService<MailboxRegistry>();
            Runner = services.GetRequiredService<ScanRunner>();
            var options = services.GetRequiredService<IOptions<ScanScheduleOptions>>();
            Scheduler = new MailboxScheduler(Registry, Jobs, services.GetRequiredService<NightlySchedule>(), NullLogger<MailboxScheduler>.Instance);
            Job = new ScanJob(Runner, Scheduler, Jobs, options);
        }

        public FakeTimeProvider Clock => (FakeTimeProvider)factory.Clock!;
        public IServiceProvider Services => factory.Services;
        public RecordingScanner Scanner => factory.Scanner;
        public RecordingJobs Jobs { get; } = new();
        public MailboxRegistry Registry { get; }
        public ScanRunner Runner { get; }
        public MailboxScheduler Scheduler { get; }
        public ScanJob Job { get; }

        public static async Task<Environment> StartAsync(StoreProvider provider)
        {
            var factory = new ServiceFactory(entra: true) { Clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero)) };
            factory.Settings["Scheduling:BusyRetrySeconds"] = "30"; // the default: a hand-over must not wait for it
            TestStore? db = null;
            if (provider == StoreProvider.Postgres)
            {
                db = await TestStore.PostgresAsync();
                factory.Settings["Store:Provider"] = "Postgres";
                factory.Settings["Store:ConnectionString"] = db.Options.ConnectionString;
            }
            var env = new Environment(factory, db);
            await env.Registry.EnsureAsync(Mailbox, MailboxOrigin.Configured);
            return env;
        }

        /// <summary>Runs a recorded scan job as Hangfire would (its arguments as stored).</summary>
        public Task RunAsync(RecordedJob job)
        {
            Assert.Equal(nameof(ScanJob.ScanAsync), job.Job.Method.Name);
            return Job.ScanAsync((string)job.Job.Args[0], (long?)job.Job.Args[1], null, CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            Scanner.Release();
            factory.Dispose();
            if (db is not null) await db.DisposeAsync();
        }
    }

    public sealed record RecordedJob(Job Job, IState State);

    /// <summary>A job queue that only records: the test decides when a job runs.</summary>
    public sealed class RecordingJobs : IBackgroundJobClient
    {
        private readonly ConcurrentQueue<RecordedJob> jobs = new();

        public string Create(Job job, IState state)
        {
            jobs.Enqueue(new RecordedJob(job, state));
            return Guid.NewGuid().ToString("n");
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => true;

        /// <summary>The jobs recorded since the last call.</summary>
        public List<RecordedJob> Take()
        {
            var taken = new List<RecordedJob>();
            while (jobs.TryDequeue(out var job)) taken.Add(job);
            return taken;
        }
    }
}
