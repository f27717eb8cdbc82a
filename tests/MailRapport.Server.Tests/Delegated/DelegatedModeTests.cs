using System.Net;
using System.Text;
using Dapper;
using MailRapport.Server.Delegated;
using MailRapport.Server.Graph;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace MailRapport.Server.Tests.Delegated;

/// <summary>
/// Delegated mode end to end on this machine: the pane's token (minted by the test's Entra stand-in) is exchanged on
/// behalf of the user through Identity.Web and MSAL against a loopback token endpoint, the grant is kept encrypted in
/// the database, and the real scanner reads a Graph stand-in that accepts only the user's own delegated token.
/// </summary>
public sealed class DelegatedModeTests
{
    [Fact]
    public async Task A_users_first_call_exchanges_their_token_and_the_scan_reads_their_mailbox_with_it()
    {
        await using var env = await DelegatedEnvironment.StartAsync();
        var alice = env.ClientFor(DelegatedEnvironment.Alice);
        var me = await alice.GetBodyAsync<DelegatedMeBody>("/api/me");
        Assert.Equal((DelegatedEnvironment.Alice.MailboxId, false), (me.Mailbox, me.NeedsSignIn));

        var status = await env.WaitForAsync(me.Mailbox, s => s.ScanFinishedAt is not null || s.ScanError is not null);
        Assert.Null(status.ScanError);
        // One exchange on the call; the scan ran on the stored session (its access token still valid), no second exchange.
        Assert.Equal(["jwt-bearer"], env.Tokens.Grants);
        var grant = await env.Host.Services.GetRequiredService<MailboxGrants>().GetAsync(me.Mailbox);
        Assert.Equal(GrantState.Active, grant!.State);

        // Every Graph request for Alice carried Alice's own token and was answered.
        var aliceRequests = env.Graph.Access.Where(a => a.Path.Contains(DelegatedEnvironment.Alice.ObjectId, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(aliceRequests);
        Assert.All(aliceRequests, a => Assert.Equal((DelegatedEnvironment.Alice.ObjectId, 200), (a.TokenUser, a.Status)));
        // ... and the stand-in would have refused the app: her mailbox is not the app's to read.
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{env.Graph.BaseUrl}/users/{DelegatedEnvironment.Alice.ObjectId}/mailFolders")).StatusCode);

        var contacts = await alice.GetBodyAsync<ContactPageBody>("/api/contacts?pageSize=200");
        Assert.True(contacts.Total > 0, "the delegated scan stored no contacts");
    }

    [Fact]
    public async Task A_revoked_consent_marks_the_mailbox_stops_its_scans_and_a_fresh_sign_in_brings_it_back()
    {
        // Access tokens shorter than MSAL's 5-minute margin: every Graph request refreshes, so the revocation is met at once.
        await using var env = await DelegatedEnvironment.StartAsync(accessTokenLifetime: TimeSpan.FromMinutes(2));
        var alice = env.ClientFor(DelegatedEnvironment.Alice);
        var mailbox = (await alice.GetBodyAsync<DelegatedMeBody>("/api/me")).Mailbox;
        var first = await env.WaitForAsync(mailbox, s => s.ScanFinishedAt is not null || s.ScanError is not null);
        Assert.Null(first.ScanError);
        Assert.Contains("refresh_token", env.Tokens.Grants); // the night's path: tokens from the stored refresh token

        // The user withdraws consent (or an admin revokes their sessions): the next scan's refresh is refused.
        env.Tokens.Revoke(DelegatedEnvironment.Alice.ObjectId);
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync("/api/me/scan", null)).StatusCode);
        var failed = await env.WaitForAsync(mailbox, s => s.ScanError is not null && !s.ScanRunning && !s.ScanQueued);
        Assert.True(failed.ScanErrorPermanent);
        Assert.Equal(first.ScanFinishedAt, failed.ScanFinishedAt);
        var me = await alice.GetBodyAsync<DelegatedMeBody>("/api/me");
        Assert.True(me.NeedsSignIn);
        Assert.Contains("invalid_grant", me.SignInReason);
        Assert.True(me.LastScanErrorPermanent);

        // Scans stop: a requested scan is skipped without a token request or a Graph request (no retry storm),
        // and calls with the old token do not try the exchange again.
        var grantsBefore = env.Tokens.Grants.Count;
        var graphBefore = env.Graph.RequestCount;
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync("/api/me/scan", null)).StatusCode);
        await env.WaitForAsync(mailbox, s => !s.ScanQueued && !s.ScanRunning);
        await env.Factory.WaitForJobsIdleAsync();
        Assert.True((await alice.GetBodyAsync<DelegatedMeBody>("/api/me")).NeedsSignIn);
        Assert.Equal((grantsBefore, graphBefore), (env.Tokens.Grants.Count, env.Graph.RequestCount));

        // The user consents again in the pane: their next (fresh) token restores the grant and queues a scan.
        env.Tokens.Consent(DelegatedEnvironment.Alice.ObjectId);
        var signedInAgain = env.ClientFor(DelegatedEnvironment.Alice, issuedAt: DateTime.UtcNow.AddSeconds(2));
        Assert.False((await signedInAgain.GetBodyAsync<DelegatedMeBody>("/api/me")).NeedsSignIn);
        var rescanned = await env.WaitForAsync(mailbox, s => s.ScanFinishedAt > first.ScanFinishedAt);
        Assert.Null(rescanned.ScanError);
        Assert.Equal("jwt-bearer", env.Tokens.Grants.Skip(grantsBefore).First());
    }

    [Fact]
    public async Task Graph_refusing_the_users_token_marks_the_mailbox_as_needing_sign_in()
    {
        await using var env = await DelegatedEnvironment.StartAsync();
        var alice = env.ClientFor(DelegatedEnvironment.Alice);
        var mailbox = (await alice.GetBodyAsync<DelegatedMeBody>("/api/me")).Mailbox;
        var first = await env.WaitForAsync(mailbox, s => s.ScanFinishedAt is not null || s.ScanError is not null);
        Assert.Null(first.ScanError);

        // The cached access token is still within its life for MSAL, but Graph no longer accepts it.
        env.Tokens.Revoke(DelegatedEnvironment.Alice.ObjectId, accessTokens: true);
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync("/api/me/scan", null)).StatusCode);
        var failed = await env.WaitForAsync(mailbox, s => s.ScanError is not null && !s.ScanRunning && !s.ScanQueued);
        Assert.True(failed.ScanErrorPermanent);
        var me = await alice.GetBodyAsync<DelegatedMeBody>("/api/me");
        Assert.True(me.NeedsSignIn);
        Assert.Contains("HTTP 401", me.SignInReason);
        Assert.Contains(env.Graph.Access, a => a.Status == 401);
    }

    [Fact]
    public async Task An_app_read_mailbox_and_a_delegated_one_are_scanned_side_by_side_each_with_its_own_credentials()
    {
        await using var env = await DelegatedEnvironment.StartAsync(configureBob: true);
        var alice = env.ClientFor(DelegatedEnvironment.Alice);
        var aliceMailbox = (await alice.GetBodyAsync<DelegatedMeBody>("/api/me")).Mailbox;
        // Bob's mailbox is the admin's (Scheduling:Mailboxes): his sign-in binds him to it and exchanges nothing.
        var bob = env.ClientFor(DelegatedEnvironment.Bob);
        Assert.Equal(DelegatedEnvironment.BobMailbox, (await bob.GetBodyAsync<DelegatedMeBody>("/api/me")).Mailbox);
        Assert.Equal(HttpStatusCode.Accepted, (await bob.PostAsync("/api/me/scan", null)).StatusCode);

        var aliceStatus = await env.WaitForAsync(aliceMailbox, s => s.ScanFinishedAt is not null || s.ScanError is not null);
        var bobStatus = await env.WaitForAsync(DelegatedEnvironment.BobMailbox, s => s.ScanFinishedAt is not null || s.ScanError is not null);
        Assert.Equal((null, null), (aliceStatus.ScanError, bobStatus.ScanError));
        Assert.Equal(["jwt-bearer"], env.Tokens.Grants); // Alice's exchange only

        var clients = env.Host.Services.GetRequiredService<GraphClients>();
        Assert.Equal((true, false), (await clients.IsDelegatedAsync(aliceMailbox), await clients.IsDelegatedAsync(DelegatedEnvironment.BobMailbox)));
        var mailRequests = env.Graph.Access.Where(a => a.Path.Contains("/mailFolders", StringComparison.Ordinal)).ToList();
        var aliceRequests = mailRequests.Where(a => a.Path.Contains(DelegatedEnvironment.Alice.ObjectId, StringComparison.OrdinalIgnoreCase)).ToList();
        var bobRequests = mailRequests.Where(a => a.Path.Contains(DelegatedEnvironment.BobMailbox, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(aliceRequests);
        Assert.NotEmpty(bobRequests);
        Assert.All(aliceRequests, a => Assert.Equal((DelegatedEnvironment.Alice.ObjectId, 200), (a.TokenUser, a.Status)));
        Assert.All(bobRequests, a => Assert.Equal((null, 200), (a.TokenUser, a.Status)));
        Assert.True((await bob.GetBodyAsync<DelegatedMeBody>("/api/me")).Contacts > 0);
        Assert.True((await alice.GetBodyAsync<DelegatedMeBody>("/api/me")).Contacts > 0);
    }

    [Fact]
    public async Task The_stored_grant_is_encrypted_and_a_second_host_sharing_the_database_reads_it()
    {
        await using var env = await DelegatedEnvironment.StartAsync();
        var mailbox = (await env.ClientFor(DelegatedEnvironment.Alice).GetBodyAsync<DelegatedMeBody>("/api/me")).Mailbox;
        await env.WaitForAsync(mailbox, s => s.ScanFinishedAt is not null || s.ScanError is not null);
        var store = env.Host.Services.GetRequiredService<MailStore>();
        string raw;
        await using (var connection = await store.OpenConnectionAsync())
        {
            raw = await connection.QuerySingleAsync<string>("SELECT token_cache FROM mailbox_grants WHERE mailbox_id = @mailbox", new { mailbox });
            var keys = (await connection.QueryAsync<string>("SELECT xml FROM data_protection_keys")).ToList();
            Assert.NotEmpty(keys);
            // The key that encrypts the grant is itself encrypted with the certificate: the database alone decrypts nothing.
            Assert.All(keys, xml => Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal));
            Assert.All(keys, xml => Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal));
        }
        var refreshToken = Assert.Single(env.Tokens.RefreshTokens);
        Assert.DoesNotContain(refreshToken, raw);
        Assert.DoesNotContain(refreshToken, Encoding.UTF8.GetString(Convert.FromBase64String(raw)));

        // A second host: its own container and key ring object, the same database, nothing shared in memory.
        var path = store.Location;
        await using var other = SecondHost(path, env);
        var grant = await other.GetRequiredService<MailboxGrants>().GetAsync(mailbox);
        var token = await other.GetRequiredService<DelegatedTokens>().GetAccessTokenAsync(grant!, CancellationToken.None);
        Assert.Equal(DelegatedEnvironment.Alice.ObjectId, env.Tokens.Find(token)?.ObjectId);
        Assert.Equal(["jwt-bearer"], env.Tokens.Grants); // read from the decrypted cache, not fetched anew
        // And the decrypted cache holds the refresh token the endpoint issued: the check above could fail.
        var cache = await other.GetRequiredService<MailboxGrants>().ReadTokenCacheAsync(mailbox);
        var protector = Microsoft.AspNetCore.DataProtection.DataProtectionCommonExtensions.CreateProtector(
            other.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), "MailRapport.MailboxGrants.TokenCache.v1");
        Assert.Contains(refreshToken, Encoding.UTF8.GetString(protector.Unprotect(Convert.FromBase64String(cache!))));
    }

    /// <summary>Another host over the same database: the environment's key-ring certificate unless <paramref name="dataProtection"/> says otherwise.</summary>
    internal static ServiceProvider SecondHost(string databasePath, DelegatedEnvironment env, Dictionary<string, string?>? dataProtection = null)
    {
        dataProtection ??= new()
        {
            ["DataProtection:CertificatePath"] = env.Factory.Settings["DataProtection:CertificatePath"],
            ["DataProtection:CertificatePassword"] = TestCertificates.Password,
        };
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => MailStore.OpenSqlite(databasePath));
        services.AddSingleton<MailboxGrants>();
        services.AddOptions<GraphOptions>().Configure(o =>
        {
            o.BaseUrl = env.Graph.BaseUrl;
            o.Mode = GraphMode.Delegated;
            o.TenantId = TestTokens.TenantA;
            o.ClientId = TestTokens.ClientId;
            o.ClientSecret = DelegatedEnvironment.ClientSecret;
        });
        services.AddDelegatedGraph(new ConfigurationBuilder().AddInMemoryCollection(dataProtection).Build());
        services.AddSingleton<IMsalHttpClientFactory>(env.Msal);
        return services.BuildServiceProvider();
    }
}
