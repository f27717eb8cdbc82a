using MailRapport.Server.Auth;
using Microsoft.Extensions.FileProviders;

namespace MailRapport.Server.Pane;

/// <summary>Serves the Outlook task pane and the local preview page (embedded in the assembly) under /pane.</summary>
public static class PaneEndpoints
{
    public const string BasePath = "/pane";
    private const string ResourceRoot = "MailRapport.Server.Pane.wwwroot";

    private static EmbeddedFileProvider Files() => new(typeof(PaneEndpoints).Assembly, ResourceRoot);

    /// <summary>Opens one embedded pane file (path relative to wwwroot, '/'-separated), or null.</summary>
    public static Stream? OpenAsset(string relativePath)
    {
        var file = Files().GetFileInfo(relativePath);
        return file.Exists ? file.CreateReadStream() : null;
    }

    public static WebApplication MapPane(this WebApplication app)
    {
        var config = ResolveConfig(app.Configuration);

        app.MapGet(BasePath + "/config.json", () => TypedResults.Json(config))
            .ExcludeFromDescription();
        app.MapGet(BasePath, () => TypedResults.Redirect(BasePath + "/preview.html")).ExcludeFromDescription();
        if (config.LocalMode) // someone opening http://127.0.0.1:5080 in a browser wants to see their contacts
            app.MapGet("/", () => TypedResults.Redirect(BasePath + "/preview.html")).ExcludeFromDescription();
        app.MapGet(BasePath + "/", () => TypedResults.Redirect(BasePath + "/preview.html")).ExcludeFromDescription();

        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files(),
            RequestPath = BasePath,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // Pages must pick up a new deployment at once; Outlook caches add-in pages aggressively otherwise.
                headers.CacheControl = "no-cache";
                headers.XContentTypeOptions = "nosniff";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";
            },
        });
        return app;
    }

    /// <summary>
    /// Scripts only from this service (the pane's modules and the bundled sign-in library, vendor/msal-browser) and
    /// the Office.js CDN, never inline; no plugins; and only Outlook/Office pages (or this service) may frame the pane.
    /// </summary>
    public const string ContentSecurityPolicy =
        "script-src 'self' https://appsforoffice.microsoft.com; object-src 'none'; base-uri 'self'; form-action 'self'; " +
        "frame-ancestors 'self' https://*.office.com https://*.office365.com https://*.outlook.com https://outlook.live.com " +
        "https://*.cloud.microsoft https://*.microsoft365.com https://*.officeapps.live.com";

    /// <summary>Local mode signs in to nothing; Entra mode tells the page which app and scope to ask a token for.</summary>
    internal static PaneConfig ResolveConfig(IConfiguration configuration)
    {
        var service = configuration.GetSection(ServiceOptions.Section).Get<ServiceOptions>() ?? new ServiceOptions();
        if (service.Mode == ServiceMode.Local) return new PaneConfig(true, null, null, null, "/api");

        var entra = configuration.GetSection(EntraOptions.Section).Get<EntraOptions>() ?? new EntraOptions();
        var pane = configuration.GetSection(PaneOptions.Section).Get<PaneOptions>() ?? new PaneOptions();
        var clientId = pane.ClientId ?? entra.ClientId;
        if (!Guid.TryParse(clientId, out _))
            throw new InvalidOperationException("The pane needs an app (client) id: set Pane:ClientId or Entra:ClientId to a GUID.");
        var scope = pane.ApiScope
            ?? (entra.Audiences.FirstOrDefault(a => a?.StartsWith("api://", StringComparison.Ordinal) == true) ?? $"api://{entra.ClientId ?? clientId}").TrimEnd('/')
               + "/" + entra.RequiredScope;
        return new PaneConfig(false, clientId, scope, pane.Authority, "/api");
    }

    /// <summary>What /pane/config.json tells the page: how to sign in, and where the API is.</summary>
    public sealed record PaneConfig(bool LocalMode, string? ClientId, string? ApiScope, string? Authority, string ApiBase);
}
