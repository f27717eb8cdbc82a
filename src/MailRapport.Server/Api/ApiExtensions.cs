namespace MailRapport.Server.Api;

public static class ApiExtensions
{
    /// <summary>Problem details for every error, the OpenAPI document, health checks.</summary>
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddServiceHealthChecks();
        return builder;
    }

    /// <summary>
    /// The Outlook pane's static files (the pane feature owns their content): serves wwwroot when it exists.
    /// </summary>
    public static IEndpointRouteBuilder MapPane(this WebApplication app)
    {
        if (Directory.Exists(Path.Combine(app.Environment.ContentRootPath, "wwwroot")) || app.Environment.WebRootFileProvider is not null)
        {
            app.UseDefaultFiles();
            app.UseStaticFiles();
        }
        return app;
    }
}
