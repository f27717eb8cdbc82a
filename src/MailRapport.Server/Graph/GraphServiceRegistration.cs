using MailRapport.Server.Delegated;
using MailRapport.Server.Hosting;
using MailRapport.Server.Profiles;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Graph;

public static class GraphServiceRegistration
{
    /// <summary>
    /// Graph options (checked at start), the SDK client (per mailbox: the app's or its user's, <see cref="GraphClients"/>), the tenant's user directory and the Graph scanner, also as
    /// <see cref="IMailboxScanner"/>. Used by Entra mode and by `mailrapport scan` (which reads Graph in any mode).
    /// </summary>
    public static IHostApplicationBuilder AddGraphScanning(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(GraphMailboxScanner))) return builder;
        services.AddCheckedOptions<GraphOptions>(GraphOptions.Section);
        if (!services.Any(d => d.ServiceType == typeof(MailboxGrants))) services.AddMailboxData<MailboxGrants>(); // AddScanning registers it in every mode
        services.AddSingleton(sp => new MailGraphClientFactory(sp.GetRequiredService<IOptions<GraphOptions>>().Value,
            log: sp.GetRequiredService<ILoggerFactory>().CreateLogger<GraphThrottlingHandler>(),
            accessWatch: new DelegatedAccessHandler(sp.GetRequiredService<MailboxGrants>(), sp.GetRequiredService<ILogger<DelegatedAccessHandler>>())));
        services.AddSingleton<GraphClients>();
        // One client for the scanner and the directory: each request's mailbox decides app or delegated credentials.
        services.AddSingleton(sp => sp.GetRequiredService<GraphClients>().PerRequest);
        services.AddSingleton<UserDirectory>();
        services.AddSingleton(sp => new GraphMailboxScanner(
            sp.GetRequiredService<Microsoft.Graph.GraphServiceClient>(),
            sp.GetRequiredService<MailStore>(),
            sp.GetRequiredService<ProfileService>(),
            sp.GetRequiredService<IOptions<GraphOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<MailGraphClientFactory>().Counter));
        if (ConfigurationCheck.BindChecked<GraphOptions>(builder.Configuration, GraphOptions.Section)?.Mode == GraphMode.Delegated)
            services.AddDelegatedGraph(builder.Configuration);
        services.Replace(ServiceDescriptor.Singleton<IMailboxScanner>(sp => sp.GetRequiredService<GraphMailboxScanner>()));
        return builder;
    }
}
