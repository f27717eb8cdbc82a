using Microsoft.AspNetCore.HostFiltering;

namespace MailRapport.Server.Api;

/// <summary>
/// Limits on the request line and headers, answered as problem+json like every other error. Kestrel refuses
/// oversized requests before any middleware runs, with an empty body, so its own limits are set at twice these:
/// a request between the two gets a problem+json 414 or 431 from here; only one beyond twice the limit (or one
/// Kestrel cannot parse at all, such as a NUL in the path) gets Kestrel's bare status.
/// </summary>
public static class RequestLimits
{
    /// <summary>Path plus query string, in characters.</summary>
    public const int MaxTargetLength = 8 * 1024;
    /// <summary>All header names and values together, in characters.</summary>
    public const int MaxHeadersLength = 32 * 1024;

    public static WebApplicationBuilder AddRequestLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Limits.MaxRequestLineSize = 2 * MaxTargetLength;
            o.Limits.MaxRequestHeadersTotalSize = 2 * MaxHeadersLength;
        });
        // The host filter answers before the app's middleware: without its HTML body, the outermost filter below writes the problem.
        builder.Services.PostConfigure<HostFilteringOptions>(o => o.IncludeFailureMessage = false);
        builder.Services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, OutermostFilter>());
        return builder;
    }

    /// <summary>Runs around everything else, host filtering included (registered first, so applied last).</summary>
    private sealed class OutermostFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(EnforceAsync);
            next(app);
        };
    }

    private static async Task EnforceAsync(HttpContext http, RequestDelegate next)
    {
        var request = http.Request;
        if (request.Path.Value?.Length + request.QueryString.Value?.Length > MaxTargetLength)
        {
            await Problem(http, StatusCodes.Status414UriTooLong, "URI too long", $"The path and query may hold at most {MaxTargetLength} characters.");
            return;
        }
        long headers = 0;
        foreach (var (name, values) in request.Headers)
        {
            headers += name.Length;
            foreach (var value in values) headers += value?.Length ?? 0;
        }
        if (headers > MaxHeadersLength)
        {
            await Problem(http, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request headers too large", $"The headers may hold at most {MaxHeadersLength} characters in all.");
            return;
        }
        await next(http);
        // An error status with no body yet, set before the app's own status-code pages could see it (the host filter).
        if (http.Response is { StatusCode: >= 400, HasStarted: false, ContentType: null, ContentLength: null or 0 } response)
            await Problem(http, response.StatusCode, response.StatusCode == StatusCodes.Status400BadRequest ? "Bad request" : null,
                response.StatusCode == StatusCodes.Status400BadRequest ? "The request was refused before it reached the service (for example, a Host header this service does not answer for)." : null);
    }

    private static Task Problem(HttpContext http, int status, string? title, string? detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(http);
}
