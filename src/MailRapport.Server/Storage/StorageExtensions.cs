using MailRapport.Server.Hosting;
using MailRapport.Server.Profiles;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Storage;

public static class StorageExtensions
{
    /// <summary>
    /// The database (SQLite file by default, PostgreSQL by connection string), migrated at start; the interaction and
    /// profile stores; the eraser that asks every store for its share; the profile service.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddCheckedOptions<StoreOptions>(StoreOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => MailStore.Open(sp.GetRequiredService<IOptions<StoreOptions>>().Value));
        services.AddMailboxData<InteractionStore>();
        services.AddMailboxData<ProfileStore>();
        services.AddMailboxData<FeedbackStore>();
        services.AddSingleton<MailboxEraser>();
        services.AddSingleton<ProfileService>();
        // Registered before anything that reads the store, so the schema is current before they start.
        services.AddHostedService<StoreMigration>();
        return builder;
    }

    /// <summary>Registers a store that keeps rows per mailbox, and its share of erasing a mailbox (<see cref="MailboxEraser"/>).</summary>
    public static IServiceCollection AddMailboxData<T>(this IServiceCollection services) where T : class, IMailboxErasure
    {
        services.AddSingleton<T>();
        services.AddSingleton<IMailboxErasure>(sp => sp.GetRequiredService<T>());
        return services;
    }

    /// <summary>
    /// Opens and migrates the store before the host starts. Null when it is usable; otherwise the one line that
    /// says which file (or server) is wrong, how, and what to do, so the service can stop with that and no trace.
    /// </summary>
    public static async Task<string?> PrepareStoreAsync(this IHost host, CancellationToken ct = default)
    {
        try
        {
            await host.Services.GetRequiredService<MailStore>().MigrateAsync(ct);
            return null;
        }
        catch (StoreUnusableException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"The store cannot be opened ({e.Message.TrimEnd('.')}): check Store:Path and its folder's permissions.";
        }
    }

    private sealed class StoreMigration(MailStore store, ILogger<StoreMigration> log) : IHostedService
    {
        public async Task StartAsync(CancellationToken ct)
        {
            await store.MigrateAsync(ct);
            log.LogInformation("Store ready ({Provider})", store.Provider);
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
