using System.Security.Cryptography.X509Certificates;
using MailRapport.Server.Graph;
using MailRapport.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Abstractions;
using Microsoft.Identity.Web;
using Microsoft.Identity.Web.TokenCacheProviders;

namespace MailRapport.Server.Delegated;

public static class DelegatedRegistration
{
    /// <summary>
    /// Graph:Mode = Delegated (Entra mode, or the CLI's scan): Identity.Web's token acquisition for the long-running
    /// on-behalf-of flow, configured here from the Graph section (never from an AzureAd section, so nothing of
    /// Identity.Web runs in other modes), its token cache in the grant rows, and Data Protection with its key ring in
    /// the database so every host reads what another encrypted, its keys encrypted with the certificate of
    /// <see cref="KeyProtectionOptions"/> (required, checked at start; docs/decisions/023).
    /// </summary>
    public static IServiceCollection AddDelegatedGraph(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(DelegatedTokens))) return services;
        services.AddHttpClient();
        services.AddTokenAcquisition(isTokenAcquisitionSingleton: true);
        services.AddSingleton<IMsalTokenCacheProvider, GrantTokenCache>();
        services.AddOptions<MicrosoftIdentityApplicationOptions>(DelegatedTokens.Scheme).Configure<IOptions<GraphOptions>>((o, graph) =>
        {
            var g = graph.Value;
            o.Instance = g.Instance;
            o.TenantId = g.TenantId;
            o.ClientId = g.ClientId;
            o.ClientCredentials = [string.IsNullOrWhiteSpace(g.ClientSecret)
                ? new CredentialDescription { SourceType = CredentialSource.Path, CertificateDiskPath = g.CertificatePath, CertificatePassword = g.CertificatePassword }
                : new CredentialDescription { SourceType = CredentialSource.ClientSecret, ClientSecret = g.ClientSecret }];
        });
        services.AddSingleton<DelegatedTokens>();
        services.AddSingleton<DelegatedSignIn>();
        services.AddSingleton<DataProtectionKeys>();
        services.AddCheckedOptions<KeyProtectionOptions>(KeyProtectionOptions.Section);
        var dataProtection = services.AddDataProtection().SetApplicationName("MailRapport");
        // Loaded here because Data Protection takes the certificate itself; a missing or unreadable one is reported by the options check at start.
        X509Certificate2? certificate = null;
        try { certificate = ConfigurationCheck.BindChecked<KeyProtectionOptions>(configuration, KeyProtectionOptions.Section)?.LoadCertificate(); }
        catch (KeyProtectionException) { }
        if (certificate is not null) dataProtection.ProtectKeysWithCertificate(certificate);
        services.AddSingleton(new KeyEncryptionCertificate(certificate));
        services.AddHostedService<KeyRingStartupCheck>();
        services.AddOptions<KeyManagementOptions>().Configure<DataProtectionKeys>((o, keys) => o.XmlRepository = keys);
        return services;
    }
}
