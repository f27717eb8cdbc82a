using MailRapport.Server.Hosting;

namespace MailRapport.Server.Api;

public static class ApiExtensions
{
    /// <summary>Problem details for every error, the contracts' source-generated JSON, the cache of mapped contact answers, the OpenAPI document, health checks.</summary>
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.Services.AddOpenApi();
        builder.Services.AddCheckedOptions<ContactCacheOptions>(ContactCacheOptions.Section);
        builder.Services.AddSingleton<ContactResponseCache>();
        builder.Services.AddServiceHealthChecks();
        return builder;
    }
}
