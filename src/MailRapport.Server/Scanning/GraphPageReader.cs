using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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

    public async Task<GraphDeltaPage<T>> ReadAsync<T>(RequestInformation request, JsonTypeInfo<GraphDeltaPage<T>> type, CancellationToken ct)
    {
        await using var body = await graph.RequestAdapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, ct)
            ?? throw new InvalidDataException($"Graph returned an empty body for {request.URI.AbsolutePath}.");
        try
        {
            // The throttling handler buffered the page (PooledJsonContent): parse it in place, else from the stream.
            var page = body is MemoryStream buffered && buffered.TryGetBuffer(out var bytes)
                ? JsonSerializer.Deserialize(bytes.AsSpan((int)buffered.Position), type)
                : await JsonSerializer.DeserializeAsync(body, type, ct);
            return page ?? throw new InvalidDataException($"Graph returned null for {request.URI.AbsolutePath}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Graph returned a page for {request.URI.AbsolutePath} that is not the expected JSON shape: {ex.Message}", ex);
        }
    }
}
