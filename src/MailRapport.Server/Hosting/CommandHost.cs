using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Hosting;

/// <summary>
/// A command's host: the service's configuration sources (appsettings.json in the current folder, the environment)
/// and its registrations (<see cref="MailRapportHost.AddMailRapport"/>), with the command's own settings (--db) on
/// top. Built and checked, never started: no web server, Hangfire server or other hosted service runs.
/// </summary>
public sealed class CommandHost : IAsyncDisposable
{
    private readonly IHost host;

    private CommandHost(IHost host) => this.host = host;

    public IServiceProvider Services => host.Services;
    public MailStore Store => Services.GetRequiredService<MailStore>();
    public ProfileService Profiles => Services.GetRequiredService<ProfileService>();

    /// <summary>The builder a command starts from; a command may add a feature's registrations (scan adds Graph's).</summary>
    public static HostApplicationBuilder CreateBuilder(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new ConfigurationManager();
        configuration["hostBuilder:reloadConfigOnChange"] = "false"; // a command reads its settings once: no file watchers
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Configuration = configuration,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders(); // a command's output is its own; errors reach the user as one line
        builder.AddMailRapport();
        return builder;
    }

    /// <summary>A command works on one SQLite file, whatever store the service is configured with.</summary>
    public static Dictionary<string, string?> StoreSettings(string dbPath) => new()
    {
        [$"{StoreOptions.Section}:{nameof(StoreOptions.Provider)}"] = nameof(StoreProvider.Sqlite),
        [$"{StoreOptions.Section}:{nameof(StoreOptions.Path)}"] = dbPath,
        [$"{StoreOptions.Section}:{nameof(StoreOptions.ConnectionString)}"] = "",
    };

    /// <summary>Builds the host and checks every option before anything reads one; throws <see cref="ConfigurationException"/> (one line) when one is wrong.</summary>
    public static CommandHost Build(HostApplicationBuilder builder)
    {
        var host = builder.Build();
        if (host.CheckConfiguration() is { } failure)
        {
            host.Dispose();
            throw new ConfigurationException(failure);
        }
        return new CommandHost(host);
    }

    /// <summary>The host of a command on one SQLite file, its store migrated.</summary>
    public static async Task<CommandHost> OpenAsync(string dbPath, CancellationToken ct)
    {
        var host = Build(CreateBuilder(StoreSettings(dbPath)));
        try
        {
            await host.Store.MigrateAsync(ct);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (host is IAsyncDisposable disposable) return disposable.DisposeAsync();
        host.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Settings that are not valid: the message is the one line to show.</summary>
public sealed class ConfigurationException(ConfigurationFailure failure) : Exception(failure.Line)
{
    public ConfigurationFailure Failure => failure;
}
