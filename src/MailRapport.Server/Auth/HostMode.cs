using MailRapport.Server.Hosting;

namespace MailRapport.Server.Auth;

/// <summary>
/// Local or Entra, decided once while the host is composed (from the checked "Service" section) and injected where
/// it matters. Nothing else reads Service:Mode.
/// </summary>
public sealed class HostMode
{
    private HostMode(ServiceOptions service)
    {
        Mode = service.Mode;
        LocalMailbox = Mode == ServiceMode.Local ? service.LocalMailbox : null;
        LocalUrl = service.LocalUrl;
    }

    public ServiceMode Mode { get; }

    public bool IsLocal => Mode == ServiceMode.Local;

    /// <summary>Local mode: the one mailbox served, every request its owner's. Null in Entra mode, where each signed-in user has their own.</summary>
    public string? LocalMailbox { get; }

    /// <summary>Local mode: where the service listens (a loopback address, checked with the Service section).</summary>
    public string LocalUrl { get; }

    /// <summary>The mode of the host being composed: decided on first use and registered as a service.</summary>
    public static HostMode Of(IHostApplicationBuilder builder)
    {
        if (builder.Properties.TryGetValue(typeof(HostMode), out var decided)) return (HostMode)decided;
        var mode = new HostMode(ConfigurationCheck.BindChecked<ServiceOptions>(builder.Configuration, ServiceOptions.Section) ?? new ServiceOptions());
        builder.Properties[typeof(HostMode)] = mode;
        builder.Services.AddSingleton(mode);
        builder.Services.AddCheckedOptions<ServiceOptions>(ServiceOptions.Section);
        return mode;
    }
}
