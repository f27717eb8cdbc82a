using MailRapport.Server.Profiles;
using MailRapport.Server.Scanning;
using MailRapport.Server.Storage;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Graph;

public static class GraphServiceRegistration
{
    /// <summary>Graph options (validated at start), the SDK client, the tenant's user directory and the Graph scanner as <see cref="IMailboxScanner"/>.</summary>
    public static IHostApplicationBuilder AddGraphScanning(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraphOptions>().BindConfiguration(GraphOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new MailGraphClientFactory(sp.GetRequiredService<IOptions<GraphOptions>>().Value,
            log: sp.GetRequiredService<ILoggerFactory>().CreateLogger<GraphThrottlingHandler>()));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<MailGraphClientFactory>().Create());
        builder.Services.AddSingleton<UserDirectory>();
        builder.Services.AddSingleton<IMailboxScanner>(sp => new GraphMailboxScanner(
            sp.GetRequiredService<Microsoft.Graph.GraphServiceClient>(),
            sp.GetRequiredService<MailStore>(),
            sp.GetRequiredService<ProfileService>(),
            sp.GetRequiredService<IOptions<GraphOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<MailGraphClientFactory>().Counter));
        return builder;
    }
}
