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
}
