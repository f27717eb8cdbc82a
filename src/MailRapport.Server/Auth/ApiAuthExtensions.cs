using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
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
        services.AddOptions<ServiceOptions>().BindConfiguration(ServiceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EntraOptions>().BindConfiguration(EntraOptions.Section);
        services.AddSingleton<CallerMailboxFilter>();
        services.AddSingleton<CallerMailboxResolver>();
        services.AddSingleton<ConfiguredMailboxes>();
        var service = builder.Configuration.GetSection(ServiceOptions.Section).Get<ServiceOptions>() ?? new ServiceOptions();

        if (service.Mode == ServiceMode.Local)
        {
            var url = new Uri(service.LocalUrl);
            if (!(url.IsLoopback && IPAddress.TryParse(url.Host, out _)) && url.Host != "localhost")
                throw new InvalidOperationException($"Service:LocalUrl '{service.LocalUrl}' is not a loopback address: local mode serves without sign-in, so it only listens on loopback.");
            // Local mode always listens on loopback only, whatever ASPNETCORE_URLS says.
            builder.WebHost.UseUrls(service.LocalUrl);
            // A web page whose name resolves to 127.0.0.1 (DNS rebinding) must not read the local user's data.
            services.PostConfigure<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>(o =>
                o.AllowedHosts = ["127.0.0.1", "localhost", "[::1]"]);
            services.AddAuthentication(LocalUserHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, LocalUserHandler>(LocalUserHandler.SchemeName, null);
            services.AddAuthorizationBuilder().AddPolicy(ApiPolicy, p => p.RequireAuthenticatedUser());
        }
        else
        {
            var entra = builder.Configuration.GetSection(EntraOptions.Section).Get<EntraOptions>() ?? new EntraOptions();
            if (string.IsNullOrWhiteSpace(entra.ClientId))
                throw new InvalidOperationException("Entra:ClientId is required in Entra mode (Service:Mode = Entra).");
            if (entra.AllowedTenants.Count == 0)
                throw new InvalidOperationException("Entra:AllowedTenants must list at least one tenant id in Entra mode.");
            // A caller's mailbox is a user of the tenant Graph reads: its id is compared with each token's tid.
            var scanned = builder.Configuration[$"{Graph.GraphOptions.Section}:{nameof(Graph.GraphOptions.TenantId)}"];
            if (!Guid.TryParse(scanned, out var scannedTenant))
                throw new InvalidOperationException($"Graph:TenantId must be the directory (tenant) id, a GUID, in Entra mode: only that tenant's users are served (it is '{scanned}').");
            if (!entra.AllowedTenants.Any(t => Guid.TryParse(t, out var allowedTenant) && allowedTenant == scannedTenant))
                throw new InvalidOperationException($"Graph:TenantId {scanned} is not on Entra:AllowedTenants, so nobody could sign in to the mailboxes the service reads.");
            services.AddHostedService<ConfiguredMailboxes.AtStart>();
            // The signing keys: the OpenID metadata in production; tests register their own manager.
            services.AddSingleton<IConfigurationManager<OpenIdConnectConfiguration>>(_ =>
                new ConfigurationManager<OpenIdConnectConfiguration>(entra.MetadataAddress, new OpenIdConnectConfigurationRetriever(),
                    new HttpDocumentRetriever { RequireHttps = true }));
            services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Configure<IConfigurationManager<OpenIdConnectConfiguration>>((o, metadata) => ConfigureJwt(o, entra, metadata));
            services.AddAuthorizationBuilder().AddPolicy(ApiPolicy, p => p
                .RequireAuthenticatedUser()
                .RequireAssertion(ctx => HasScope(ctx.User, entra.RequiredScope)));
        }

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Signed-in callers: per user, on the API. Everyone else (no token, a bad one): per client address,
            // on every request, so a flood of refused tokens is throttled too (UseRateLimiter runs before authorization).
            o.AddPolicy(RateLimitPolicy, http => http.User.Identity?.IsAuthenticated == true
                ? Limit(http, $"user:{http.User.FindFirst("tid")?.Value}/{http.User.FindFirst("oid")?.Value ?? http.User.Identity.Name}")
                : RateLimitPartition.GetNoLimiter("anonymous: limited globally"));
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => http.User.Identity?.IsAuthenticated == true
                ? RateLimitPartition.GetNoLimiter("signed in: limited per user")
                : Limit(http, $"address:{http.Connection.RemoteIpAddress}"));
            o.OnRejected = async (ctx, ct) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"At most {service.RequestsPerMinute} requests a minute per user (per address without sign-in).").ExecuteAsync(ctx.HttpContext);
            };
        });
        return builder;

        RateLimitPartition<string> Limit(HttpContext http, string key) => service.RequestsPerMinute == 0
            ? RateLimitPartition.GetNoLimiter("off")
            : RateLimitPartition.Get(key, _ => new WindowRateLimiter(service.RequestsPerMinute, TimeSpan.FromMinutes(1),
                http.RequestServices.GetRequiredService<TimeProvider>()));
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
