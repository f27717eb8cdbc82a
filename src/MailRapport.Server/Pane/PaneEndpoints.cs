using MailRapport.Server.Auth;
using MailRapport.Server.Hosting;
using Microsoft.Extensions.Options;
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

    /// <summary>Pane options, checked at start: in Entra mode the page needs an app (client) id.</summary>
    public static IHostApplicationBuilder AddPane(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCheckedOptions<PaneOptions>(PaneOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<PaneOptions>, PaneOptionsCheck>();
        builder.Services.AddSingleton(sp => ResolveConfig(sp.GetRequiredService<HostMode>(),
            sp.GetRequiredService<IOptions<EntraOptions>>().Value, sp.GetRequiredService<IOptions<PaneOptions>>().Value));
        return builder;
    }

    public static WebApplication MapPane(this WebApplication app)
    {
        var config = app.Services.GetRequiredService<PaneConfig>();

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
    internal static PaneConfig ResolveConfig(HostMode mode, EntraOptions entra, PaneOptions pane)
    {
        if (mode.IsLocal) return new PaneConfig(true, null, null, null, "/api");
        var clientId = ClientId(entra, pane);
        var scope = pane.ApiScope
            ?? (entra.Audiences.FirstOrDefault(a => a?.StartsWith("api://", StringComparison.Ordinal) == true) ?? $"api://{entra.ClientId ?? clientId}").TrimEnd('/')
               + "/" + entra.RequiredScope;
        return new PaneConfig(false, clientId, scope, pane.Authority, "/api");
    }

    private static string? ClientId(EntraOptions entra, PaneOptions pane) => pane.ClientId ?? entra.ClientId;

    /// <summary>Entra mode: the pane signs in as an app, so it needs that app's (client) id.</summary>
    internal sealed class PaneOptionsCheck(HostMode mode, IOptions<EntraOptions> entra) : IValidateOptions<PaneOptions>
    {
        public ValidateOptionsResult Validate(string? name, PaneOptions pane) =>
            mode.IsLocal || Guid.TryParse(ClientId(entra.Value, pane), out _)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail("The pane needs an app (client) id: set Pane:ClientId or Entra:ClientId to a GUID.");
    }

    /// <summary>What /pane/config.json tells the page: how to sign in, and where the API is.</summary>
    public sealed record PaneConfig(bool LocalMode, string? ClientId, string? ApiScope, string? Authority, string ApiBase);
}
