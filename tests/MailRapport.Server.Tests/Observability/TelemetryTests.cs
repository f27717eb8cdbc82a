using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using MailRapport.Server.Graph;
using MailRapport.Server.Observability;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRapport.Server.Tests.Observability;

/// <summary>Graph throttling and scans show up as metrics, traces and log entries.</summary>
public sealed class TelemetryTests
{
    private sealed class Recorded : IDisposable
    {
        private readonly MeterListener listener = new();
        public ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements { get; } = new();

        public Recorded()
        {
            listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == Telemetry.Name) l.EnableMeasurementEvents(instrument); };
            listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i.Name, v, tags));
            listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i.Name, v, tags));
            listener.Start();
        }

        private void Add(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            Measurements.Enqueue((name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

        public void Dispose() => listener.Dispose();
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, IReadOnlyList<KeyValuePair<string, object?>> State)> Entries { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
    }

    [Fact]
    public async Task A_throttled_graph_call_is_counted_its_wait_measured_and_the_retry_logged()
    {
        using var recorded = new Recorded();
        var log = new ListLogger();
        var responses = new Queue<HttpResponseMessage>();
        var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(4321));
        responses.Enqueue(throttled);
        responses.Enqueue(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });
        var handler = new GraphThrottlingHandler(new GraphOptions(), (_, _) => Task.CompletedTask, log: log) { InnerHandler = new Scripted(responses) };
        using var client = new HttpClient(handler);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("http://127.0.0.1/v1.0/users/otel@x.com/mailFolders")).StatusCode);

        Assert.Contains(recorded.Measurements, m => m.Instrument == "mailrapport.graph.retry_after_waited" && m.Value == 4321 && Equals(m.Tags["source"], "retry-after"));
        Assert.Contains(recorded.Measurements, m => m.Instrument == "mailrapport.graph.throttled" && Equals(m.Tags["http.response.status_code"], 429));
        Assert.Contains(recorded.Measurements, m => m.Instrument == "mailrapport.graph.retries");
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains(warning.State, kv => kv.Key == "Wait" && Equals(kv.Value, TimeSpan.FromSeconds(4321)));
    }

    private sealed class Scripted(Queue<HttpResponseMessage> responses) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) => Task.FromResult(responses.Dequeue());
    }

    [Fact]
    public async Task A_scan_is_traced_and_measured()
    {
        var mailbox = $"otel-{Guid.NewGuid():n}";
        var scans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == Telemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (Equals(a.GetTagItem("mailrapport.mailbox"), mailbox)) scans.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(activities);
        using var recorded = new Recorded();
        using var factory = new ServiceFactory(entra: false);
        factory.Settings["Service:LocalMailbox"] = mailbox;
        factory.Settings["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:9"; // an exporter with nobody listening must not get in the way

        _ = factory.Server;
        await factory.Scanner.WaitForAsync(() => !scans.IsEmpty);
        var scan = Assert.Single(scans);
        Assert.Equal("scan", scan.OperationName);
        Assert.Contains(recorded.Measurements, m => m.Instrument == "mailrapport.scan.duration" && Equals(m.Tags["outcome"], "scanned"));
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/health/live")).StatusCode);
    }
}
