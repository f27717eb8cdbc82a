using System.Net;
using MailRapport.Server.Tests.Support;

namespace MailRapport.Server.Tests.Delegated;

/// <summary>
/// Consent revoked while a delegated scan runs. The scan reads the mailbox's grant once (GraphClients), so what stops it
/// is the refusal its next request meets (Graph's 401, or the token endpoint's invalid_grant): that marks the mailbox as
/// needing sign-in and fails the scan permanently, and no request follows it.
/// </summary>
public sealed class RevokedDuringScanTests
{
    [Fact]
    public async Task Consent_revoked_mid_scan_stops_the_scan_at_its_next_request()
    {
        await using var env = await DelegatedEnvironment.StartAsync();
        var alice = env.ClientFor(DelegatedEnvironment.Alice);
        var mailbox = (await alice.GetBodyAsync<DelegatedMeBody>("/api/me")).Mailbox;
        var first = await env.WaitForAsync(mailbox, s => s.ScanFinishedAt is not null || s.ScanError is not null);
        Assert.Null(first.ScanError);

        // The next scan: after its first mailbox request Graph stops accepting her (still cached) access token.
        int served = 0;
        var serve = env.Graph.MailboxFor!;
        env.Graph.MailboxFor = user =>
        {
            bool hers = user.Equals(DelegatedEnvironment.Alice.ObjectId, StringComparison.OrdinalIgnoreCase)
                        || user.Equals(DelegatedEnvironment.Alice.Upn, StringComparison.OrdinalIgnoreCase); // delta links name her by address
            if (hers && Interlocked.Increment(ref served) == 1)
                env.Tokens.Revoke(DelegatedEnvironment.Alice.ObjectId, accessTokens: true);
            return serve(user);
        };
        int before = env.Graph.Access.Count;
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync("/api/me/scan", null)).StatusCode);
        var failed = await env.WaitForAsync(mailbox, s => (s.ScanError is not null || s.ScanFinishedAt > first.ScanFinishedAt) && !s.ScanRunning && !s.ScanQueued);
        Assert.True(failed.ScanErrorPermanent, failed.ToString());
        Assert.Equal(first.ScanFinishedAt, failed.ScanFinishedAt);

        // Her requests of this scan: the one during which access was revoked, then at most one more, refused. Which
        // refusal stops it depends on MSAL (Graph's 401 for the cached token, or the token endpoint's invalid_grant).
        var during = env.Graph.Access.Skip(before).Where(a => a.Path.Contains(DelegatedEnvironment.Alice.Upn, StringComparison.OrdinalIgnoreCase)
                                                              || a.Path.Contains(DelegatedEnvironment.Alice.ObjectId, StringComparison.OrdinalIgnoreCase)).ToList();
        var trace = string.Join(", ", during.Select(a => $"{a.Path} {a.Status}"));
        Assert.True(during.Count is 1 or 2, trace);
        Assert.Equal(200, during[0].Status);
        Assert.All(during.Skip(1), a => Assert.Equal(401, a.Status));
        var me = await alice.GetBodyAsync<DelegatedMeBody>("/api/me");
        Assert.True(me.NeedsSignIn);
        Assert.True(me.SignInReason!.Contains("HTTP 401") || me.SignInReason.Contains("invalid_grant"), me.SignInReason);
    }
}
