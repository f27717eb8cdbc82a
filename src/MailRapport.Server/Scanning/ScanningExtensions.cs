using MailRapport.Server.Auth;
using MailRapport.Server.Graph;
using MailRapport.Server.Hosting;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Scanning;

public static class ScanningExtensions
{
    /// <summary>
    /// The mail source behind <see cref="IMailboxScanner"/>. Local mode scans the sample mailbox; Entra mode scans
    /// Microsoft Graph (registered by the Graph feature; without it the service refuses to start in Entra mode).
    /// </summary>
    public static IHostApplicationBuilder AddScanning(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMailboxData<GraphSyncStore>(); // its tables exist in both modes, so erasure always covers them
        builder.Services.AddMailboxData<Delegated.MailboxGrants>(); // how each mailbox is read (Delegated/); likewise in both modes
        builder.Services.AddCheckedOptions<SampleScanOptions>(SampleScanOptions.Section);
        if (HostMode.Of(builder).IsLocal)
            builder.Services.AddSingleton<IMailboxScanner, SampleMailboxScanner>();
        else
            builder.AddGraphScanning();
        return builder;
    }
}
