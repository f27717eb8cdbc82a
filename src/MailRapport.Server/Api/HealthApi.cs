using System.Text.Json;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Api;

/// <summary>/health (everything), /health/live (the process answers), /health/ready (database and scheduler).</summary>
public static class HealthApi
{
    public static IServiceCollection AddServiceHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        // The scheduler's check is registered by the Scheduling feature (SchedulerHealthCheck).
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteJson }).WithTags("Health");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteJson }).WithTags("Health");
        return app;
    }

    private static Task WriteJson(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, JsonSerializerOptions.Web);
    }

    private sealed class DatabaseHealthCheck(MailStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            // The file itself first (read-only, truncated, not SQLite), then a query: the reason names the store.
            if (await store.ProbeAsync(ct) is { } problem)
                return HealthCheckResult.Unhealthy(problem);
            return HealthCheckResult.Healthy($"{store.Provider}, schema {await store.SchemaVersionAsync(ct)}");
        }
    }
}
