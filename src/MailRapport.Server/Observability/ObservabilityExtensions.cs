using System.ComponentModel.DataAnnotations;
using MailRapport.Server.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MailRapport.Server.Observability;

/// <summary>Where telemetry goes. Bound from the "Telemetry" configuration section.</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Telemetry";

    /// <summary>OTLP/gRPC endpoint; empty = <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, and without either nothing is exported.</summary>
    public string? OtlpEndpoint { get; set; }

    [Required]
    public string ServiceName { get; set; } = "mailrapport";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            yield return new ValidationResult($"Telemetry:OtlpEndpoint '{OtlpEndpoint}' is not an absolute http(s) URL.", [nameof(OtlpEndpoint)]);
    }
}

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
        builder.Services.AddCheckedOptions<TelemetryOptions>(TelemetryOptions.Section);
        // Whether to export decides registrations: read once, checked (a wrong value is reported at start and exports nothing).
        var telemetry = ConfigurationCheck.BindChecked<TelemetryOptions>(builder.Configuration, TelemetryOptions.Section) ?? new TelemetryOptions();
        var endpoint = telemetry.OtlpEndpoint is { Length: > 0 } configured ? configured : builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(telemetry.ServiceName))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation()
                .AddSource(Telemetry.Name, "System.Net.Http"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddMeter(Telemetry.Name, "System.Net.Http", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"));
        if (!string.IsNullOrWhiteSpace(endpoint) && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            otel.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, uri);
        return builder;
    }
}
