using System.Threading.RateLimiting;
using MailRapport.Server.Graph;
using MailRapport.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Microsoft.IdentityModel.Validators;

namespace MailRapport.Server.Auth;

public static class ApiAuthExtensions
{
    public const string ApiPolicy = "api-user";
    public const string RateLimitPolicy = "per-user";

    /// <summary>
    /// Who may call the API. Local mode: loopback only, one user, no tokens. Entra mode: v2 access tokens checked
    /// for signature (keys from the OpenID metadata), issuer (a tenant on the allow-list), audience, lifetime and
    /// the access_as_user scope. Both: a per-user request rate limit.
    /// </summary>
    public static WebApplicationBuilder AddApiAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var mode = HostMode.Of(builder);
        services.AddCheckedOptions<EntraOptions>(EntraOptions.Section);
        services.AddSingleton<IValidateOptions<EntraOptions>, EntraOptionsCheck>();
        services.AddSingleton<CallerMailboxResolver>();
        services.AddSingleton<MailboxEnrolment>();
        services.AddSingleton<ConfiguredMailboxes>();

        if (mode.IsLocal)
        {
            // Local mode always listens on loopback only, whatever ASPNETCORE_URLS says.
            builder.WebHost.UseUrls(mode.LocalUrl);
            // A web page whose name resolves to 127.0.0.1 (DNS rebinding) must not read the local user's data.
            services.PostConfigure<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>(o =>
                o.AllowedHosts = ["127.0.0.1", "localhost", "[::1]"]);
            services.AddAuthentication(LocalUserHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, LocalUserHandler>(LocalUserHandler.SchemeName, null);
            services.AddAuthorizationBuilder().AddPolicy(ApiPolicy, p => p.RequireAuthenticatedUser());
        }
        else
        {
            services.AddHostedService<ConfiguredMailboxes.AtStart>();
            // The signing keys: the OpenID metadata in production; tests register their own manager.
            services.AddSingleton<IConfigurationManager<OpenIdConnectConfiguration>>(sp =>
                new ConfigurationManager<OpenIdConnectConfiguration>(sp.GetRequiredService<IOptions<EntraOptions>>().Value.MetadataAddress,
                    new OpenIdConnectConfigurationRetriever(), new HttpDocumentRetriever { RequireHttps = true }));
            services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Configure<IOptions<EntraOptions>, IConfigurationManager<OpenIdConnectConfiguration>>((o, entra, metadata) => ConfigureJwt(o, entra.Value, metadata));
            services.AddAuthorization();
            services.AddOptions<AuthorizationOptions>().Configure<IOptions<EntraOptions>>((o, entra) => o.AddPolicy(ApiPolicy, p => p
                .RequireAuthenticatedUser()
                .RequireAssertion(ctx => HasScope(ctx.User, entra.Value.RequiredScope))));
        }

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ServiceOptions>>((o, service) =>
        {
            var perMinute = service.Value.RequestsPerMinute;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Signed-in callers: per user, on the API. Everyone else (no token, a bad one): per client address,
            // on every request, so a flood of refused tokens is throttled too (UseRateLimiter runs before authorization).
            o.AddPolicy(RateLimitPolicy, http => http.User.Identity?.IsAuthenticated == true
                ? Limit(http, $"user:{http.User.FindFirst("tid")?.Value}/{http.User.FindFirst("oid")?.Value ?? http.User.Identity.Name}", perMinute)
                : RateLimitPartition.GetNoLimiter("anonymous: limited globally"));
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => http.User.Identity?.IsAuthenticated == true
                ? RateLimitPartition.GetNoLimiter("signed in: limited per user")
                : Limit(http, $"address:{http.Connection.RemoteIpAddress}", perMinute));
            o.OnRejected = async (ctx, ct) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"At most {perMinute} requests a minute per user (per address without sign-in).").ExecuteAsync(ctx.HttpContext);
            };
        });
        return builder;

        static RateLimitPartition<string> Limit(HttpContext http, string key, int perMinute) => perMinute == 0
            ? RateLimitPartition.GetNoLimiter("off")
            : RateLimitPartition.Get(key, _ => new WindowRateLimiter(perMinute, TimeSpan.FromMinutes(1),
                http.RequestServices.GetRequiredService<TimeProvider>()));
    }

    /// <summary>Entra mode needs the API's client id and a tenant allow-list that holds the tenant Graph reads.</summary>
    private sealed class EntraOptionsCheck(HostMode mode, IOptions<GraphOptions> graph) : IValidateOptions<EntraOptions>
    {
        public ValidateOptionsResult Validate(string? name, EntraOptions entra)
        {
            if (mode.IsLocal) return ValidateOptionsResult.Skip;
            var failures = new List<string>();
            if (string.IsNullOrWhiteSpace(entra.ClientId))
                failures.Add("Entra:ClientId is required in Entra mode (Service:Mode = Entra).");
            if (entra.AllowedTenants.Count == 0)
                failures.Add("Entra:AllowedTenants must list at least one tenant id in Entra mode.");
            // A caller's mailbox is a user of the tenant Graph reads: its id is compared with each token's tid.
            var scanned = graph.Value.TenantId;
            if (!Guid.TryParse(scanned, out var scannedTenant))
                failures.Add($"Graph:TenantId must be the directory (tenant) id, a GUID, in Entra mode: only that tenant's users are served (it is '{scanned}').");
            else if (entra.AllowedTenants.Count > 0 && !entra.AllowedTenants.Any(t => Guid.TryParse(t, out var allowedTenant) && allowedTenant == scannedTenant))
                failures.Add($"Graph:TenantId {scanned} is not on Entra:AllowedTenants, so nobody could sign in to the mailboxes the service reads.");
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    internal static void ConfigureJwt(JwtBearerOptions o, EntraOptions entra, IConfigurationManager<OpenIdConnectConfiguration> metadata)
    {
        o.ConfigurationManager = metadata;
        o.MapInboundClaims = false; // keep tid, oid, scp as Entra names them
        o.RequireHttpsMetadata = true;
        var authority = entra.Instance.TrimEnd('/') + "/";
        var aad = AadIssuerValidator.GetAadIssuerValidator(authority);
        var allowed = entra.AllowedTenants.Select(t => t.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(2),
            ValidateAudience = true,
            ValidAudiences = [entra.ClientId!, $"api://{entra.ClientId}", .. entra.Audiences],
            ValidateIssuer = true,
            // v2 tokens only; the {tenantid} template is filled from the token's tid by AadIssuerValidator.
            ValidIssuer = authority + "{tenantid}/v2.0",
            IssuerValidator = (issuer, token, parameters) =>
            {
                var tenant = TenantOf(token);
                if (string.IsNullOrEmpty(tenant) || !allowed.Contains(tenant))
                    throw new SecurityTokenInvalidIssuerException($"Tenant '{tenant}' is not allowed to use this service.");
                return aad.Validate(issuer, token, parameters);
            },
            NameClaimType = "preferred_username",
        };
        // The Entra signing key must belong to the issuing tenant's cloud (key issuer validation).
        o.TokenValidationParameters.EnableAadSigningKeyIssuerValidation();
    }

    private static string? TenantOf(SecurityToken token) => token switch
    {
        Microsoft.IdentityModel.JsonWebTokens.JsonWebToken jwt => jwt.TryGetPayloadValue<string>("tid", out var tid) ? tid : null,
        System.IdentityModel.Tokens.Jwt.JwtSecurityToken old => old.Payload.TryGetValue("tid", out var tid) ? tid as string : null,
        _ => null,
    };

    internal static bool HasScope(System.Security.Claims.ClaimsPrincipal user, string scope) =>
        user.FindAll("scp").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Contains(scope, StringComparer.Ordinal);
}
