using MailRapport.Server.Graph;
using MailRapport.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Auth;

/// <summary>
/// Binds the admin-configured mailboxes (Scheduling:Mailboxes, named by address) to the directory users that own
/// them: Graph resolves each address to an object id in the scanned tenant, and the row is bound to that
/// (tenant, object id). From then on only that user is served it, whatever their token's names say.
/// </summary>
public sealed class ConfiguredMailboxes(
    HostMode mode,
    MailboxRegistry registry,
    IServiceProvider services,
    IOptions<GraphOptions> graph,
    ILogger<ConfiguredMailboxes> log)
{
    /// <summary>How long one directory lookup may take before the caller is told to try again.</summary>
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Resolves every unbound configured mailbox. Returns false when the directory could not answer for one of them
    /// (it may belong to the caller waiting on this, so nothing else may be decided for them yet).
    /// </summary>
    public async Task<bool> BindAsync(CancellationToken ct)
    {
        if (mode.IsLocal) return true; // nobody signs in
        var unbound = await registry.ListUnboundAsync(ct);
        if (unbound.Count == 0) return true;
        var directory = services.GetRequiredService<UserDirectory>(); // Entra mode reads Graph (AddScanning)
        var tenant = graph.Value.TenantId!; // checked at start: a GUID in Entra mode
        bool complete = true;
        foreach (var mailboxId in unbound)
        {
            DirectoryUser? user;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(LookupTimeout);
                user = await directory.FindAsync(mailboxId, timeout.Token);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning("Could not look up configured mailbox {Mailbox} in the directory: {Error}", mailboxId, e.Message);
                complete = false;
                continue;
            }
            if (user is null)
                log.LogWarning("Configured mailbox {Mailbox} is not a user of tenant {Tenant}: nobody can sign in to it", mailboxId, tenant);
            else if (await registry.BindOwnerAsync(mailboxId, tenant, user.ObjectId, ct))
                log.LogInformation("Configured mailbox {Mailbox} belongs to {Tenant}/{Object}", mailboxId, tenant, user.ObjectId);
            else
                log.LogWarning("Configured mailbox {Mailbox} resolves to {Tenant}/{Object}, who already has a mailbox; it stays unbound", mailboxId, tenant, user.ObjectId);
        }
        return complete;
    }

    /// <summary>At start, after the configured mailboxes are registered: bind them in the background.</summary>
    internal sealed class AtStart(ConfiguredMailboxes mailboxes) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try { await mailboxes.BindAsync(stoppingToken); }
            catch (Exception) when (!stoppingToken.IsCancellationRequested) { /* sign-in binds again; the store's trouble shows in /health */ }
        }
    }
}
