using MailRapport.Server.Storage;
using Microsoft.Extensions.Options;
using Quartz;

namespace MailRapport.Server.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>
    /// Quartz with a persistent job store in the same database as the data: SQLite as a single node, PostgreSQL
    /// clustered (every node shares the schedule; a dead node's running scans are recovered by another). Quartz
    /// creates its own tables at start when missing.
    /// </summary>
    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ScanScheduleOptions>().BindConfiguration(ScanScheduleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MailboxRegistry>();
        services.AddSingleton<StageHistory>();
        services.AddSingleton<ScanRunner>();
        services.AddSingleton<MailboxScheduler>();

        var scheduling = builder.Configuration.GetSection(ScanScheduleOptions.Section).Get<ScanScheduleOptions>() ?? new ScanScheduleOptions();
        var store = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "mailrapport";
                if (!string.IsNullOrWhiteSpace(scheduling.InstanceId)) s.InstanceId = scheduling.InstanceId;
                else s.GenerateInstanceId = true;
            });
            q.UseDefaultThreadPool(scheduling.MaxConcurrentScans);
            q.UsePersistentStore(p =>
            {
                p.UseSystemTextJsonSerializer();
                p.ProvisionSchema();
                p.ConfigureStore(o => o.MisfireThreshold = TimeSpan.FromSeconds(scheduling.MisfireThresholdSeconds));
                if (store.Provider == StoreProvider.Postgres)
                {
                    p.UsePostgres(store.ConnectionString ?? throw new InvalidOperationException("Store:ConnectionString is required when Store:Provider is Postgres."));
                    p.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(scheduling.ClusterCheckinSeconds));
                }
                else
                {
                    p.UseSqlite(QuartzSqliteConnectionString(store));
                }
            });
        });
        // Hosted services start in registration order: the store's migration (AddStorage), then Quartz (which
        // creates its tables as it starts), then the start-up registration that schedules the mailboxes.
        if (scheduling.Enabled)
        {
            builder.AddQuartzHostedService(o =>
            {
                o.WaitForJobsToComplete = false;
                o.AwaitApplicationStarted = false;
            });
            services.AddHostedService<SchedulingStartup>();
        }
        return builder;
    }

    /// <summary>The schedule lives next to the data, in its own SQLite file: Quartz locks its whole store on SQLite.</summary>
    private static string QuartzSqliteConnectionString(StoreOptions store)
    {
        var dataPath = store.ConnectionString is { Length: > 0 } cs
            ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(cs).DataSource
            : store.Path;
        var full = Path.GetFullPath(dataPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var quartzPath = Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + ".schedule.db");
        return new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = quartzPath, DefaultTimeout = 60 }.ToString();
    }
}
