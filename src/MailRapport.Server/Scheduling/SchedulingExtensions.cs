using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using MailRapport.Server.Hosting;
using MailRapport.Server.Storage;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>
    /// Hangfire: on PostgreSQL its job storage lives in the same database (schema "hangfire", any number of nodes);
    /// on SQLite (local mode, one process) in memory, since the store already says when each mailbox was last
    /// scanned and what was queued (docs/decisions/010-local-job-storage.md). The storage, activator and clients are
    /// this host's own services, not Hangfire's process-wide statics, so several hosts can share one process (tests).
    /// </summary>
    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddCheckedOptions<ScanScheduleOptions>(ScanScheduleOptions.Section);
        services.AddMailboxData<MailboxRegistry>();
        services.AddSingleton<StageHistory>();
        services.AddSingleton<ScanRunner>();
        services.AddSingleton<NightlySchedule>();
        services.AddSingleton<MailboxScheduler>();
        services.AddTransient<ScanJob>();

        services.AddSingleton(sp =>
        {
            var instance = sp.GetRequiredService<IOptions<ScanScheduleOptions>>().Value.InstanceId;
            var serverName = $"{(string.IsNullOrWhiteSpace(instance) ? Environment.MachineName : instance)}-{Guid.NewGuid().ToString("n")[..6]}";
            return new SchedulerIdentity(serverName, sp.GetRequiredService<IOptions<StoreOptions>>().Value.Provider == StoreProvider.Postgres);
        });

        services.AddSingleton<JobStorage>(sp =>
        {
            sp.GetRequiredService<IGlobalConfiguration>(); // serializer settings first
            return sp.GetRequiredService<SchedulerIdentity>().PersistentJobs
                ? PostgresStorage(sp.GetRequiredService<IOptions<StoreOptions>>().Value, sp.GetRequiredService<IOptions<ScanScheduleOptions>>().Value)
                : new InMemoryStorage(new InMemoryStorageOptions());
        });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, c) => c
            .UseLogProvider(new HangfireLogging(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        // Hosted services start in registration order: the store's migration (AddStorage), then the Hangfire server,
        // then the start-up registration that queues missed scans.
        services.AddHangfireServer((sp, o) =>
        {
            var s = sp.GetRequiredService<IOptions<ScanScheduleOptions>>().Value;
            o.ServerName = sp.GetRequiredService<SchedulerIdentity>().ServerName;
            o.WorkerCount = s.MaxConcurrentScans + 1; // one for the nightly dispatch
            o.SchedulePollingInterval = TimeSpan.FromSeconds(s.PollSeconds);
            o.ShutdownTimeout = TimeSpan.FromSeconds(10);
        });
        services.AddHostedService<SchedulingStartup>();
        services.AddHealthChecks().AddCheck<SchedulerHealthCheck>("scheduler", tags: ["ready"]);
        return builder;
    }

    private static PostgreSqlStorage PostgresStorage(StoreOptions store, ScanScheduleOptions scheduling)
    {
        var connectionString = store.ConnectionString ?? throw new InvalidOperationException("Store:ConnectionString is required when Store:Provider is Postgres.");
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            // A job's host renews its claim while it runs; when the host dies the job goes to another after this long.
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = TimeSpan.FromSeconds(scheduling.InvisibilityTimeoutSeconds),
            QueuePollInterval = TimeSpan.FromSeconds(scheduling.PollSeconds),
            // Lock rows a killed host left behind are removed after this long (hangfire-postgres #365, #329).
            DistributedLockTimeout = TimeSpan.FromSeconds(scheduling.LockTimeoutSeconds),
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }
}
