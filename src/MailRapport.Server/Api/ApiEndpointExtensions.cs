using MailRapport.Server.Auth;

namespace MailRapport.Server.Api;

internal static class ApiEndpointExtensions
{
    /// <summary>Signed-in callers only, rate limited per user, each bound to their own mailbox.</summary>
    public static RouteGroupBuilder RequireApiCaller(this RouteGroupBuilder group)
    {
        group.RequireAuthorization(ApiAuthExtensions.ApiPolicy)
            .RequireRateLimiting(ApiAuthExtensions.RateLimitPolicy)
            .RequireCallerMailbox()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }
}
