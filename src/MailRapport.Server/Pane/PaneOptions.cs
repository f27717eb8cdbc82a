namespace MailRapport.Server.Pane;

/// <summary>
/// Configuration section "Pane": overrides for how the task pane signs in. In local mode (Service:Mode = Local,
/// the default) the pane signs in to nothing. In Entra mode it uses nested app authentication with
/// <see cref="ClientId"/> (default: Entra:ClientId) and <see cref="ApiScope"/> (default: the first api:// audience
/// in Entra:Audiences, else api://CLIENT_ID, followed by /Entra:RequiredScope).
/// </summary>
public sealed class PaneOptions
{
    public const string Section = "Pane";

    /// <summary>The add-in's Entra app (client) id, when it is not the API's own registration.</summary>
    public string? ClientId { get; set; }
    /// <summary>The full API scope the pane asks for, e.g. api://mailrapport.contoso.com/CLIENT_ID/access_as_user.</summary>
    public string? ApiScope { get; set; }
    /// <summary>Entra authority; "common" lets any tenant's users sign in (the API keeps its own tenant allow-list).</summary>
    public string Authority { get; set; } = "https://login.microsoftonline.com/common";
}
