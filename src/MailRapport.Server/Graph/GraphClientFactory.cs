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
/// for <see cref="GraphThrottlingHandler"/>.
/// </summary>
public sealed class MailGraphClientFactory(GraphOptions options, GraphDelay? delay = null, HttpMessageHandler? transport = null, ILogger? log = null)
{
    public GraphRequestCounter Counter { get; } = new();

    public GraphServiceClient Create()
    {
        options.ThrowIfInvalid();
        var handlers = Microsoft.Graph.GraphClientFactory.CreateDefaultHandlers()
            .Where(h => h is not RetryHandler)
            .ToList();
        handlers.Insert(0, new GraphThrottlingHandler(options, delay, Counter, log));
        var finalHandler = transport ?? new SocketsHttpHandler
        {
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 16,
        };
        var pipeline = Microsoft.Graph.GraphClientFactory.CreatePipeline(handlers, finalHandler);
        var http = new HttpClient(pipeline) { Timeout = Timeout.InfiniteTimeSpan }; // retries own the clock
        var baseUrl = options.BaseUrl.TrimEnd('/');
        http.BaseAddress = new Uri(baseUrl + "/");
        return new GraphServiceClient(http, CreateAuthentication(options), baseUrl);
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
