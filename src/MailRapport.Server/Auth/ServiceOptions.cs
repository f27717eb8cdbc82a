using System.ComponentModel.DataAnnotations;
using System.Net;
using MailRapport.Core;

namespace MailRapport.Server.Auth;

public enum ServiceMode
{
    /// <summary>The embedded default: loopback only, one local user, no tokens.</summary>
    Local,
    /// <summary>Production: Entra ID v2 access tokens, one mailbox per signed-in user.</summary>
    Entra,
}

/// <summary>How the service is reached and by whom. Bound from the "Service" configuration section; read through <see cref="HostMode"/>.</summary>
public sealed class ServiceOptions : IValidatableObject
{
    public const string Section = "Service";

    public ServiceMode Mode { get; set; } = ServiceMode.Local;

    /// <summary>The one mailbox local mode serves, keyed as the CLI's scan keys it (<see cref="MailboxId"/>).</summary>
    [Required, MinLength(1)]
    public string LocalMailbox { get; set => field = MailboxId.Normalize(value); } = "sample";

    /// <summary>Where local mode listens; must be a loopback address.</summary>
    [Required]
    public string LocalUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>API requests per user per minute; 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 600;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Local mode serves without sign-in, so it only listens on loopback.
        if (Mode == ServiceMode.Local && !(Uri.TryCreate(LocalUrl, UriKind.Absolute, out var url)
                && ((url.IsLoopback && IPAddress.TryParse(url.Host, out _)) || url.Host == "localhost")))
            yield return new ValidationResult($"Service:LocalUrl '{LocalUrl}' is not a loopback address: local mode serves without sign-in, so it only listens on loopback.",
                [nameof(LocalUrl)]);
    }
}

/// <summary>Entra ID sign-in. Bound from the "Entra" configuration section; required in Entra mode.</summary>
public sealed class EntraOptions
{
    public const string Section = "Entra";

    /// <summary>The API's application (client) id; tokens must name it (or one of <see cref="Audiences"/>) as audience.</summary>
    public string? ClientId { get; set; }

    /// <summary>Further accepted audiences, e.g. api://host/client-id.</summary>
    public List<string> Audiences { get; set; } = [];

    /// <summary>Tenants whose users may sign in (tenant ids). Empty refuses everyone.</summary>
    public List<string> AllowedTenants { get; set; } = [];

    public string Instance { get; set; } = "https://login.microsoftonline.com/";

    /// <summary>Where signing keys come from (the multi-tenant v2 metadata).</summary>
    public string MetadataAddress { get; set; } = "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration";

    public string RequiredScope { get; set; } = "access_as_user";
}
