using System.Net.Http.Headers;
using MailRapport.FakeGraph;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Client;

namespace MailRapport.Server.Tests.Delegated;

/// <summary>
/// Sends MSAL's requests for the Entra authority host (login.microsoftonline.com) to the fake token endpoint on
/// loopback; any other host is refused, so a test can never reach the internet. Registered as Identity.Web's
/// <see cref="IMsalHttpClientFactory"/> (it takes one from the container when there is one).
/// </summary>
internal sealed class LoopbackMsalHttpClientFactory(Uri tokenEndpoint) : IMsalHttpClientFactory
{
    private readonly HttpClient client = new(new Redirect(tokenEndpoint));

    public HttpClient GetHttpClient() => client;

    private sealed class Redirect(Uri target) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (request.RequestUri is not { Host: "login.microsoftonline.com" } uri)
                throw new InvalidOperationException($"MSAL asked for {request.RequestUri}: only the authority host is served in tests.");
            request.RequestUri = new UriBuilder(uri) { Scheme = "http", Host = target.Host, Port = target.Port }.Uri;
            return base.SendAsync(request, ct);
        }
    }
}

/// <summary>/api/me as the pane reads it, with the sign-in state.</summary>
internal sealed record DelegatedMeBody(string Mailbox, bool NeedsSignIn, string? SignInReason, string? LastScanError, bool LastScanErrorPermanent,
    bool ScanQueued, DateTimeOffset? LastScanFinishedAt, long Contacts);

/// <summary>
/// The real service in Entra mode with Graph:Mode = Delegated, its real Graph scanner reading a fake Graph server that
/// accepts only delegated tokens for Alice's mailbox, and a fake token endpoint behind MSAL. Bob's mailbox is
/// admin-configured and read by the app (no token on loopback).
/// </summary>
internal sealed class DelegatedEnvironment : IAsyncDisposable
{
    public const string ClientSecret = "fake-client-secret";
    public static readonly TestTokens.User Alice = TestTokens.Alice;
    public static readonly TestTokens.User Bob = TestTokens.Bob;
    public const string BobMailbox = "bob@contoso.com";

    public required FakeTokenEndpoint Tokens { get; init; }
    public required FakeGraphServer Graph { get; init; }
    public required ServiceFactory Factory { get; init; }
    public required WebApplicationFactory<Program> Host { get; init; }
    public required LoopbackMsalHttpClientFactory Msal { get; init; }

    /// <param name="notifications">Graph change notifications on: the fake Graph server calls the service's in-process handler.</param>
    public static async Task<DelegatedEnvironment> StartAsync(TimeSpan? accessTokenLifetime = null, bool configureBob = false, bool notifications = false)
    {
        var tokens = await FakeTokenEndpoint.StartAsync(TestTokens.ClientId, ClientSecret);
        if (accessTokenLifetime is { } lifetime) tokens.AccessTokenLifetime = lifetime;
        var end = DateTimeOffset.UtcNow.AddDays(-1);
        var (aliceMail, aliceMeetings) = SyntheticMailbox.Generate(60, 4, end, seed: 3, owner: Alice.Upn);
        var (bobMail, bobMeetings) = SyntheticMailbox.Generate(40, 2, end, seed: 5, owner: BobMailbox);
        var aliceBox = SyntheticMailbox.Build(Alice.Upn, aliceMail, aliceMeetings, seed: 3);
        var bobBox = SyntheticMailbox.Build(BobMailbox, bobMail, bobMeetings, seed: 5);
        var graph = await FakeGraphServer.StartAsync(aliceBox);
        graph.AddUser(Alice.ObjectId, Alice.Upn, Alice.Upn);
        graph.AddUser(Bob.ObjectId, Bob.Upn, BobMailbox);
        graph.MailboxFor = user =>
            user.Equals(Alice.ObjectId, StringComparison.OrdinalIgnoreCase) || user.Equals(Alice.Upn, StringComparison.OrdinalIgnoreCase) ? aliceBox
            : user.Equals(Bob.ObjectId, StringComparison.OrdinalIgnoreCase) || user.Equals(BobMailbox, StringComparison.OrdinalIgnoreCase) ? bobBox
            : null;
        graph.TokenIssuer = tokens;
        graph.DelegatedOnly[Alice.ObjectId] = true; // the app has no access to Alice's mailbox: only her own token opens it

        var factory = new ServiceFactory(entra: true) { RealScanner = true };
        factory.Settings["Graph:BaseUrl"] = graph.BaseUrl;
        factory.Settings["Graph:Mode"] = "Delegated";
        factory.Settings["Graph:ClientId"] = TestTokens.ClientId;
        factory.Settings["Graph:ClientSecret"] = ClientSecret;
        factory.Settings["Graph:PageSize"] = "20";
        factory.Settings["Graph:MaxRetries"] = "1";
        if (configureBob) factory.Settings["Scheduling:Mailboxes:0"] = BobMailbox;
        // The key ring in the database is encrypted with a certificate kept outside it, as in production.
        factory.Settings["DataProtection:CertificatePath"] = TestCertificates.WritePfx(factory.Directory, "keyring");
        factory.Settings["DataProtection:CertificatePassword"] = TestCertificates.Password;
        if (notifications) factory.Settings["Graph:Notifications:PublicUrl"] = "http://localhost";
        var msal = new LoopbackMsalHttpClientFactory(tokens.Address);
        var host = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IMsalHttpClientFactory>(msal)));
        if (notifications) graph.NotificationHandler = host.Server.CreateHandler(); // a test host has no port
        return new DelegatedEnvironment { Tokens = tokens, Graph = graph, Factory = factory, Host = host, Msal = msal };
    }

    public MailboxRegistry Registry => Host.Services.GetRequiredService<MailboxRegistry>();

    /// <summary>A client signed in as <paramref name="user"/>; <paramref name="issuedAt"/> dates the token (a fresh sign-in is a later one).</summary>
    public HttpClient ClientFor(TestTokens.User user, DateTime? issuedAt = null)
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Factory.Tokens.Mint(user, d => { if (issuedAt is { } at) d.IssuedAt = at; }));
        return client;
    }

    /// <summary>Waits until the mailbox's scan state satisfies the condition (polled; fails after the timeout).</summary>
    public async Task<MailboxStatus> WaitForAsync(string mailboxId, Func<MailboxStatus, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (await Registry.GetAsync(mailboxId) is { } status && condition(status)) return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"mailbox {mailboxId}: condition not reached in time ({await Registry.GetAsync(mailboxId)})");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Factory.Dispose();
        await Graph.DisposeAsync();
        await Tokens.DisposeAsync();
    }
}
