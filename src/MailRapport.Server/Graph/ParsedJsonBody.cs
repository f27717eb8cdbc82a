using System.Text.Json;
using Microsoft.Kiota.Abstractions;

namespace MailRapport.Server.Graph;

/// <summary>
/// Asks <see cref="GraphThrottlingHandler"/> to parse a successful response's JSON body with the caller's parser, in
/// place of its own syntax check: a delta page is then read once, not twice, and a malformed body (cut short, not JSON)
/// is still retried like any transient fault. A body that is JSON but not the shape the parser expects is not retried
/// (asking again gives the same): it comes back as <see cref="ShapeError"/>.
/// </summary>
internal sealed class ParsedJsonBody(ParsedJsonBody.Parser parse) : IRequestOption
{
    public delegate object? Parser(ReadOnlySpan<byte> json);

    public static readonly HttpRequestOptionsKey<IRequestOption> Key = new(typeof(ParsedJsonBody).FullName!);

    /// <summary>What the parser returned for the response handed back (null when the handler did not parse it).</summary>
    public object? Value { get; private set; }

    public JsonException? ShapeError { get; private set; }

    /// <summary>Parses one response body; returns why it is unreadable (the handler retries), or null.</summary>
    internal string? Parse(ReadOnlySpan<byte> json)
    {
        (Value, ShapeError) = (null, null);
        try
        {
            Value = parse(json);
            return null;
        }
        catch (JsonException ex) when (ex.InnerException is JsonException)
        {
            // System.Text.Json reports the reader's syntax errors (truncated or broken JSON) with the reader's exception inside.
            return $"malformed JSON ({ex.Message})";
        }
        catch (JsonException ex)
        {
            ShapeError = ex;
            return null;
        }
    }
}
