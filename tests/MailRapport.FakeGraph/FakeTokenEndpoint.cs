using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRapport.FakeGraph;

/// <summary>An access token the fake endpoint issued: whose it is, what it allows and until when.</summary>
public sealed record FakeIssuedToken(string Value, string TenantId, string ObjectId, IReadOnlySet<string> Scopes, DateTimeOffset ExpiresAt);

/// <summary>
/// A stand-in for the Entra token endpoint (login.microsoftonline.com) on 127.0.0.1, for the confidential client that
/// exchanges a user's token on their behalf: the on-behalf-of grant (jwt-bearer: access + refresh token), the
/// refresh_token grant (rotating refresh tokens), and the instance discovery and OpenID documents MSAL may ask for.
/// A user's consent can be revoked (refresh and on-behalf-of then answer invalid_grant, as Entra does) and given
/// again. The assertion's signature is not checked here: the service under test validated it before exchanging it.
/// </summary>
public sealed class FakeTokenEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeIssuedToken> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Tenant, string ObjectId)> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _revoked = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _grants = new();

    private FakeTokenEndpoint(WebApplication app, string clientId, string clientSecret)
    {
        _app = app;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    /// <summary>The app (client) id and secret the confidential client must present; also the audience its assertions carry.</summary>
    public string ClientId { get; }
    public string ClientSecret { get; }
    /// <summary>http://127.0.0.1:port: where requests for the authority host are sent instead.</summary>
    public Uri Address { get; private set; } = null!;
    /// <summary>Lifetime of the access tokens it issues. Under 5 minutes MSAL refreshes on every use.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);
    /// <summary>The grant types asked for, in order ("jwt-bearer", "refresh_token", refused ones suffixed " refused").</summary>
    public IReadOnlyList<string> Grants => _grants.ToList();
    /// <summary>Every refresh token issued (the tests check none of them is stored in clear).</summary>
    public IReadOnlyCollection<string> RefreshTokens => _refreshTokens.Keys.ToList();

    public static async Task<FakeTokenEndpoint> StartAsync(string clientId, string clientSecret, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new FakeTokenEndpoint(app, clientId, clientSecret);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync(ct);
        endpoint.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return endpoint;
    }

    /// <summary>The user withdraws consent: their refresh tokens and new exchanges are refused; with <paramref name="accessTokens"/>, issued access tokens too.</summary>
    public void Revoke(string objectId, bool accessTokens = false)
    {
        _revoked[objectId] = true;
        if (accessTokens)
            foreach (var (key, token) in _accessTokens)
                if (token.ObjectId.Equals(objectId, StringComparison.OrdinalIgnoreCase)) _accessTokens.TryRemove(key, out _);
    }

    /// <summary>The user consents again.</summary>
    public void Consent(string objectId) => _revoked.TryRemove(objectId, out _);

    /// <summary>The live access token with this value, or null (unknown, expired or revoked).</summary>
    public FakeIssuedToken? Find(string accessToken) =>
        _accessTokens.TryGetValue(accessToken, out var token) && token.ExpiresAt > DateTimeOffset.UtcNow ? token : null;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.EndsWith("/discovery/instance", StringComparison.OrdinalIgnoreCase))
        {
            await WriteAsync(context, 200, new Dictionary<string, object>
            {
                ["tenant_discovery_endpoint"] = "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
                ["api-version"] = "1.1",
                ["metadata"] = new[] { new Dictionary<string, object>
                {
                    ["preferred_network"] = "login.microsoftonline.com", ["preferred_cache"] = "login.windows.net",
                    ["aliases"] = new[] { "login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net" },
                } },
            });
            return;
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (path.EndsWith("/.well-known/openid-configuration", StringComparison.OrdinalIgnoreCase) && segments.Length >= 1)
        {
            var tenant = segments[0];
            var root = $"https://login.microsoftonline.com/{tenant}";
            await WriteAsync(context, 200, new Dictionary<string, object>
            {
                ["issuer"] = $"{root}/v2.0", ["token_endpoint"] = $"{root}/oauth2/v2.0/token",
                ["authorization_endpoint"] = $"{root}/oauth2/v2.0/authorize", ["jwks_uri"] = $"{root}/discovery/v2.0/keys",
            });
            return;
        }
        if (!(HttpMethods.IsPost(context.Request.Method) && path.EndsWith("/oauth2/v2.0/token", StringComparison.OrdinalIgnoreCase)))
        {
            await WriteAsync(context, 404, Error("invalid_request", "AADSTS90002: unknown endpoint " + path));
            return;
        }
        var form = await context.Request.ReadFormAsync();
        if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
        {
            _grants.Enqueue("client refused");
            await WriteAsync(context, 401, Error("invalid_client", "AADSTS7000215: Invalid client secret provided."));
            return;
        }
        var scopes = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        switch (form["grant_type"].ToString())
        {
            case "urn:ietf:params:oauth:grant-type:jwt-bearer" when form["requested_token_use"] == "on_behalf_of":
            {
                if (ReadAssertion(form["assertion"].ToString()) is not { } user)
                {
                    _grants.Enqueue("jwt-bearer refused");
                    await WriteAsync(context, 400, Error("invalid_grant", "AADSTS50013: Assertion is not valid for this application."));
                    return;
                }
                if (_revoked.ContainsKey(user.ObjectId))
                {
                    _grants.Enqueue("jwt-bearer refused");
                    await WriteAsync(context, 400, Error("invalid_grant",
                        "AADSTS65001: The user or administrator has not consented to use the application.", "consent_required"));
                    return;
                }
                _grants.Enqueue("jwt-bearer");
                await WriteAsync(context, 200, Issue(user.Tenant, user.ObjectId, scopes));
                return;
            }
            case "refresh_token":
            {
                if (!_refreshTokens.TryRemove(form["refresh_token"].ToString(), out var user) || _revoked.ContainsKey(user.ObjectId))
                {
                    _grants.Enqueue("refresh_token refused");
                    await WriteAsync(context, 400, Error("invalid_grant",
                        "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed."));
                    return;
                }
                _grants.Enqueue("refresh_token");
                await WriteAsync(context, 200, Issue(user.Tenant, user.ObjectId, scopes));
                return;
            }
            default:
                _grants.Enqueue(form["grant_type"] + " refused");
                await WriteAsync(context, 400, Error("unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type."));
                return;
        }
    }

    /// <summary>The user an on-behalf-of assertion names, when it is a JWT for this app that has not expired.</summary>
    private (string Tenant, string ObjectId)? ReadAssertion(string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length < 2) return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var doc = JsonDocument.Parse(Convert.FromBase64String(payload));
            var root = doc.RootElement;
            string? Claim(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var audience = Claim("aud");
            var expires = root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var e) ? DateTimeOffset.FromUnixTimeSeconds(e) : DateTimeOffset.MinValue;
            if (Claim("tid") is not { } tid || Claim("oid") is not { } oid || expires <= DateTimeOffset.UtcNow) return null;
            if (audience != ClientId && audience != $"api://{ClientId}") return null;
            return (tid, oid);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private Dictionary<string, object> Issue(string tenant, string objectId, HashSet<string> scopes)
    {
        var access = "fake-at-" + Guid.NewGuid().ToString("n");
        var refresh = "fake-rt-" + Guid.NewGuid().ToString("n");
        // Graph's scopes only, as Entra's answer names them; the OpenID ones are not Graph's.
        var granted = scopes.Where(s => s.StartsWith("https://graph.microsoft.com/", StringComparison.OrdinalIgnoreCase)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        _accessTokens[access] = new FakeIssuedToken(access, tenant, objectId, granted, DateTimeOffset.UtcNow + AccessTokenLifetime);
        _refreshTokens[refresh] = (tenant, objectId);
        var clientInfo = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { uid = objectId, utid = tenant })))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["scope"] = string.Join(' ', granted),
            ["expires_in"] = (long)AccessTokenLifetime.TotalSeconds,
            ["ext_expires_in"] = (long)AccessTokenLifetime.TotalSeconds,
            ["access_token"] = access,
            ["refresh_token"] = refresh,
            ["client_info"] = clientInfo,
        };
    }

    private static Dictionary<string, object> Error(string error, string description, string? suberror = null)
    {
        var body = new Dictionary<string, object>
        {
            ["error"] = error, ["error_description"] = description, ["error_codes"] = new[] { int.Parse(description[6..11], System.Globalization.CultureInfo.InvariantCulture) },
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("u"), ["trace_id"] = Guid.NewGuid(), ["correlation_id"] = Guid.NewGuid(),
        };
        if (suberror is not null) body["suberror"] = suberror;
        return body;
    }

    private static async Task WriteAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}

/// <summary>The fake Graph server's access check, active once it is given a token issuer.</summary>
public sealed partial class FakeGraphServer
{
    private readonly ConcurrentQueue<(string Path, string? TokenUser, int Status)> _access = new();

    /// <summary>
    /// When set, bearer tokens must be ones this endpoint issued, live, with Mail.ReadBasic, for the user the path names
    /// (/users/{id | upn}/..., or /me) and the scope the route needs (User.Read, Mail.ReadBasic, Calendars.ReadBasic). Requests without a token are the app's (the loopback convention) and are
    /// refused for <see cref="DelegatedOnly"/> users. Unset (the default), nothing is checked.
    /// </summary>
    public FakeTokenEndpoint? TokenIssuer { get; set; }

    /// <summary>Users (object ids) whose mailbox the app may not read: only their own delegated token opens it.</summary>
    public ConcurrentDictionary<string, bool> DelegatedOnly { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Each checked request: its path, whose token it carried (null: none, the app's), and the check's answer (200: allowed).</summary>
    public IReadOnlyList<(string Path, string? TokenUser, int Status)> Access => _access.ToList();

    private (int Status, string Body)? Refusal(HttpContext context, ref string path)
    {
        if (TokenIssuer is null) return null;
        var refusal = Check(context, ref path, out var tokenUser);
        if (refusal is null && IsSubscriptionRoute(path)) return null; // checked (and logged) against the subscription's user: SubscriptionRefusal
        _access.Enqueue((path, tokenUser, refusal?.Status ?? 200));
        return refusal;
    }

    /// <summary>
    /// A subscription of <paramref name="user"/>'s <paramref name="kind"/> (messages, events) is created, renewed,
    /// reauthorized and deleted only with what reads that mailbox: the app's credentials (no token), refused for
    /// <see cref="DelegatedOnly"/> users, or the user's own delegated token with the scope the resource needs.
    /// </summary>
    private (int Status, string Body)? SubscriptionRefusal(HttpContext context, string user, string kind)
    {
        if (TokenIssuer is null) return null;
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.Length > 7 ? TokenIssuer.Find(header[7..].Trim()) : null; // present and live: Check refused the rest
        var directoryUser = Users.TryGetValue(user, out var byId) ? byId
            : Users.Values.FirstOrDefault(u => u.UserPrincipalName.Equals(user, StringComparison.OrdinalIgnoreCase));
        var needed = kind.Equals("events", StringComparison.OrdinalIgnoreCase) ? "https://graph.microsoft.com/Calendars.ReadBasic" : "https://graph.microsoft.com/Mail.ReadBasic";
        (int Status, string Body)? refusal =
            token is null ? (directoryUser is not null && DelegatedOnly.ContainsKey(directoryUser.Id)
                ? (403, Error("ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied. Check credentials and try again.]"))
                : null)
            : !(directoryUser?.Id ?? user).Equals(token.ObjectId, StringComparison.OrdinalIgnoreCase)
                ? (403, Error("ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: the token's user does not own the resource.]"))
            : !token.Scopes.Contains(needed) ? (403, Error("ExtensionError", $"Access is denied: the token lacks {needed}."))
            : null;
        _access.Enqueue((context.Request.Path.Value ?? "", token?.ObjectId, refusal?.Status ?? 200));
        return refusal;
    }

    private (int Status, string Body)? Check(HttpContext context, ref string path, out string? tokenUser)
    {
        tokenUser = null;
        var header = context.Request.Headers.Authorization.ToString();
        FakeIssuedToken? token = null;
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || TokenIssuer!.Find(header[7..].Trim()) is not { } found)
                return (401, Error("InvalidAuthenticationToken", "Access token is empty, expired or revoked."));
            token = found;
            tokenUser = found.ObjectId;
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length >= 2 && segments[1].Equals("me", StringComparison.OrdinalIgnoreCase))
        {
            if (token is null)
                return (400, Error("BadRequest", "/me request is only valid with delegated authentication flow."));
            path = "/" + string.Join('/', [segments[0], "users", token.ObjectId, .. segments.Skip(2)]);
            segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        }
        if (segments.Length < 3 || !segments[1].Equals("users", StringComparison.OrdinalIgnoreCase)) return null;
        var named = Uri.UnescapeDataString(segments[2]);
        var user = Users.TryGetValue(named, out var byId) ? byId
            : Users.Values.FirstOrDefault(u => u.UserPrincipalName.Equals(named, StringComparison.OrdinalIgnoreCase));
        if (token is null)
            return user is not null && DelegatedOnly.ContainsKey(user.Id)
                ? (403, Error("ErrorAccessDenied", "Access is denied. Check credentials and try again."))
                : null;
        var owner = user?.Id ?? named;
        if (!owner.Equals(token.ObjectId, StringComparison.OrdinalIgnoreCase))
            return (403, Error("ErrorAccessDenied", "Access is denied. Check credentials and try again."));
        var needed = segments.Length == 3 ? "https://graph.microsoft.com/User.Read"
            : segments[3].StartsWith("calendar", StringComparison.OrdinalIgnoreCase) ? "https://graph.microsoft.com/Calendars.ReadBasic"
            : "https://graph.microsoft.com/Mail.ReadBasic";
        return token.Scopes.Contains(needed)
            ? null
            : (403, Error("ErrorAccessDenied", $"Access is denied: the token lacks {needed}."));
    }
}
