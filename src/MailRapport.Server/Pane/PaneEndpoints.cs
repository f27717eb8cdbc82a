using System.Reflection;
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
        var options = app.Configuration.GetSection(PaneOptions.Section).Get<PaneOptions>() ?? new PaneOptions();
        if (!options.LocalMode && (!Guid.TryParse(options.ClientId, out _) || string.IsNullOrWhiteSpace(options.ApiScope)))
            throw new InvalidOperationException("Pane:ClientId must be a GUID and Pane:ApiScope set (or leave ClientId empty for local mode).");
        var config = new PaneConfig(options.LocalMode, options.LocalMode ? null : options.ClientId,
            options.LocalMode ? null : options.ApiScope, options.LocalMode ? null : options.Authority, "/api");

        app.MapGet(BasePath + "/config.json", () => TypedResults.Json(config))
            .ExcludeFromDescription();
        app.MapGet(BasePath, () => TypedResults.Redirect(BasePath + "/preview.html")).ExcludeFromDescription();
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
            },
        });
        return app;
    }

    /// <summary>What /pane/config.json tells the page: how to sign in, and where the API is.</summary>
    public sealed record PaneConfig(bool LocalMode, string? ClientId, string? ApiScope, string? Authority, string ApiBase);
}
