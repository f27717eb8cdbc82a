using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MailRapport.Server.Graph;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;

namespace MailRapport.Server.Scanning;

/// <summary>
/// Sends a request built by the SDK's request builders through the SDK's request adapter (its middleware: our
/// throttling handler, auth, telemetry) and reads the body as a stream into the scanner's own light types.
/// Errors still come back as the SDK's <see cref="ODataError"/>, so callers see the same exceptions as with SDK models.
/// </summary>
internal sealed class GraphPageReader(GraphServiceClient graph)
{
    private static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new()
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    /// <summary>
    /// A delta page's request with its Prefer headers: the first page's from the SDK's request builder
    /// (<paramref name="first"/>), a later one straight from the link Graph handed back (a nextLink or deltaLink), as
    /// <c>WithUrl(link).ToGetRequestInformation()</c> builds it (GET, the link as given, JSON accepted). Built directly
    /// because the request builders reflect over their query-parameter class on every call, and most of a scan's
    /// requests are such links.
    /// </summary>
    public static RequestInformation PageRequest(string? link, IEnumerable<string> prefer, Func<RequestInformation> first)
    {
        RequestInformation request;
        if (link is null) request = first();
        else
        {
            request = new RequestInformation { HttpMethod = Method.GET, URI = new Uri(link) };
            request.Headers.TryAdd("Accept", "application/json");
        }
        foreach (var value in prefer) request.Headers.Add("Prefer", value);
        return request;
    }

    /// <summary>Parses a page's bytes; throws <see cref="JsonException"/> as <see cref="ParsedJsonBody"/> expects (syntax errors wrap the reader's).</summary>
    public delegate GraphDeltaPage<T>? PageParser<T>(ReadOnlySpan<byte> json);

    /// <summary>A page parsed by System.Text.Json source generation (events, folders).</summary>
    public Task<GraphDeltaPage<T>> ReadAsync<T>(RequestInformation request, JsonTypeInfo<GraphDeltaPage<T>> type, CancellationToken ct) =>
        ReadAsync(request, json => JsonSerializer.Deserialize(json, type), ct);

    /// <summary>A page parsed by <paramref name="parse"/> (messages: <see cref="GraphMessagePageParser"/>).</summary>
    public async Task<GraphDeltaPage<T>> ReadAsync<T>(RequestInformation request, PageParser<T> parse, CancellationToken ct)
    {
        // The throttling handler parses the page as it checks it (and retries a malformed one); the body is then only disposed.
        var parsed = new ParsedJsonBody(json => parse(json));
        request.AddRequestOptions([parsed]);
        await using var body = await graph.RequestAdapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, ct)
            ?? throw new InvalidDataException($"Graph returned an empty body for {request.URI.AbsolutePath}.");
        try
        {
            if (parsed.ShapeError is { } shape) throw shape;
            var page = parsed.Value as GraphDeltaPage<T>;
            if (page is null)
            {
                // Not parsed there (not labelled JSON): read whole into a pooled buffer and parsed the same way.
                using var buffered = await PooledJsonContent.ReadAsync(new StreamContent(body), ct);
                page = parse(buffered.Span);
            }
            return page ?? throw new InvalidDataException($"Graph returned null for {request.URI.AbsolutePath}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Graph returned a page for {request.URI.AbsolutePath} that is not the expected JSON shape: {ex.Message}", ex);
        }
    }
}
