namespace MailRapport.Server.Pane;

/// <summary>
/// Configuration section "Pane": what the task pane needs to sign in. With no ClientId the pane runs in
/// local mode (no sign-in), which is what the embedded default serves on loopback.
/// </summary>
public sealed class PaneOptions
{
    public const string Section = "Pane";

    /// <summary>The add-in's Entra app (client) id, used by nested app authentication.</summary>
    public string? ClientId { get; set; }
    /// <summary>The API scope the pane asks for, e.g. api://host/CLIENT_ID/access_as_user.</summary>
    public string? ApiScope { get; set; }
    /// <summary>Entra authority; "common" lets any tenant's users sign in (the API keeps its own tenant allow-list).</summary>
    public string Authority { get; set; } = "https://login.microsoftonline.com/common";

    public bool LocalMode => string.IsNullOrWhiteSpace(ClientId);
}
