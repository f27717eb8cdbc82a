using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MailRapport.Server.Observability;

/// <summary>
/// The service's own traces and metrics (names under "mailrapport."). The instruments are process-wide like the
/// runtime's own; OpenTelemetry picks them up by source and meter name (<see cref="ObservabilityExtensions"/>).
/// </summary>
public static class Telemetry
{
    public const string Name = "MailRapport";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    // Graph calls
    public static readonly Counter<long> GraphRequests = Meter.CreateCounter<long>("mailrapport.graph.requests", "{request}", "Requests sent to Microsoft Graph, by status code.");
    public static readonly Counter<long> GraphThrottled = Meter.CreateCounter<long>("mailrapport.graph.throttled", "{response}", "429/502/503/504 answers from Graph.");
    public static readonly Counter<long> GraphRetries = Meter.CreateCounter<long>("mailrapport.graph.retries", "{retry}", "Graph requests sent again after a transient failure.");
    public static readonly Histogram<double> GraphRetryAfterWaited = Meter.CreateHistogram<double>("mailrapport.graph.retry_after_waited", "s", "Time waited before a retry (Retry-After or backoff).");

    // Scans
    public static readonly Histogram<double> ScanDuration = Meter.CreateHistogram<double>("mailrapport.scan.duration", "s", "Duration of mailbox scans, by outcome.");
    public static readonly Counter<long> ScanPages = Meter.CreateCounter<long>("mailrapport.scan.pages", "{page}", "Graph pages (requests) read by scans.");
    public static readonly Counter<long> ScanMessages = Meter.CreateCounter<long>("mailrapport.scan.messages", "{message}", "Messages stored or updated by scans.");
    public static readonly Counter<long> ScanMeetings = Meter.CreateCounter<long>("mailrapport.scan.meetings", "{meeting}", "Meetings stored or updated by scans.");
    public static readonly Counter<long> ScanErrors = Meter.CreateCounter<long>("mailrapport.scan.errors", "{scan}", "Failed scans, by kind (transient, permanent).");
}
