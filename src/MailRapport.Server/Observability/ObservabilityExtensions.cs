using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MailRapport.Server.Observability;

public static class ObservabilityExtensions
{
    /// <summary>
    /// OpenTelemetry traces and metrics: HTTP requests served (ASP.NET Core), HTTP calls made (Graph, through
    /// System.Net.Http), and the service's own Graph and scan instruments (<see cref="Telemetry"/>). Exported over OTLP
    /// when an endpoint is configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>Telemetry:OtlpEndpoint</c>); otherwise
    /// collected for nobody, at next to no cost.
    /// </summary>
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        var endpoint = builder.Configuration["Telemetry:OtlpEndpoint"] is { Length: > 0 } configured ? configured
            : builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["Telemetry:ServiceName"] ?? "mailrapport"))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation()
                .AddSource(Telemetry.Name, "System.Net.Http"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddMeter(Telemetry.Name, "System.Net.Http", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"));
        if (!string.IsNullOrWhiteSpace(endpoint))
            otel.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, new Uri(endpoint));
        return builder;
    }
}
