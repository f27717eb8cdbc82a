using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Authentication.Azure;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace MailRapport.Server.Graph;

/// <summary>
/// Builds the real Microsoft Graph SDK client: app-only credentials (client secret or certificate) for a cloud
/// base URL, no credentials for a loopback one, and the SDK's default middleware with its retry handler swapped
/// for <see cref="GraphThrottlingHandler"/>. Every client it makes shares one HTTP pipeline (one throttling gate per
/// mailbox, one request counter), whatever credentials it attaches (<see cref="GraphClients"/>).
/// </summary>
/// <param name="accessWatch">Outermost handler, sees each final response (delegated mode: a refused user token).</param>
public sealed class MailGraphClientFactory(GraphOptions options, GraphDelay? delay = null, HttpMessageHandler? transport = null, ILogger? log = null,
    DelegatingHandler? accessWatch = null)
{
    private readonly Lock gate = new();
    private HttpClient? http;

    public GraphRequestCounter Counter { get; } = new();

    private HttpClient Http()
    {
        lock (gate) return http ??= CreateHttpClient(options, delay, transport, log, accessWatch, Counter);
    }

    /// <summary>The app's client: application permissions (or none on loopback).</summary>
    public GraphServiceClient Create() => Create(CreateAuthentication(options));

    /// <summary>A client that attaches what <paramref name="authentication"/> decides, over the shared pipeline.</summary>
    public GraphServiceClient Create(IAuthenticationProvider authentication)
    {
        options.ThrowIfInvalid();
        return new GraphServiceClient(Http(), authentication, options.BaseUrl.TrimEnd('/'));
    }

    private static HttpClient CreateHttpClient(GraphOptions options, GraphDelay? delay, HttpMessageHandler? transport, ILogger? log,
        DelegatingHandler? accessWatch, GraphRequestCounter counter)
    {
        var handlers = Microsoft.Graph.GraphClientFactory.CreateDefaultHandlers()
            .Where(h => h is not RetryHandler)
            .ToList();
        handlers.Insert(0, new GraphThrottlingHandler(options, delay, counter, log));
        if (accessWatch is not null) handlers.Insert(0, accessWatch);
        var finalHandler = transport ?? new SocketsHttpHandler
        {
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 16,
        };
        var pipeline = Microsoft.Graph.GraphClientFactory.CreatePipeline(handlers, finalHandler);
        var http = new HttpClient(pipeline) { Timeout = Timeout.InfiniteTimeSpan }; // retries own the clock
        http.BaseAddress = new Uri(options.BaseUrl.TrimEnd('/') + "/");
        return http;
    }

    internal static IAuthenticationProvider CreateAuthentication(GraphOptions options)
    {
        if (options.IsLoopback) return new AnonymousAuthenticationProvider();
        var uri = new Uri(options.BaseUrl);
        var credential = CreateCredential(options);
        // Tokens are only ever attached for the configured Graph host.
        return new AzureIdentityAuthenticationProvider(credential, [uri.Host], null, true, $"{uri.Scheme}://{uri.Host}/.default");
    }

    internal static TokenCredential CreateCredential(GraphOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ClientSecret))
            return new ClientSecretCredential(options.TenantId, options.ClientId, options.ClientSecret);
        var path = options.CertificatePath!;
        if (!File.Exists(path))
            throw new InvalidOperationException($"Graph:CertificatePath '{path}' does not exist.");
        var certificate = path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)
            ? X509Certificate2.CreateFromPemFile(path)
            : X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
        return new ClientCertificateCredential(options.TenantId, options.ClientId, certificate);
    }
}
