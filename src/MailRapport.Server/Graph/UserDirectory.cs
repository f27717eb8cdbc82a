using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;

namespace MailRapport.Server.Graph;

/// <summary>A user of the scanned tenant as the directory knows them.</summary>
public sealed record DirectoryUser(string ObjectId, string? UserPrincipalName, string? Mail);

/// <summary>
/// Looks users up in the directory of the tenant the service scans (Graph <c>GET /users/{id | upn}</c>,
/// application permission User.ReadBasic.All). The directory, not a token claim, says which object id owns an address.
/// </summary>
public sealed class UserDirectory(GraphServiceClient graph)
{
    /// <summary>The user with this object id or user principal name, or null when the tenant has no such user.</summary>
    public async Task<DirectoryUser?> FindAsync(string idOrUserPrincipalName, CancellationToken ct = default)
    {
        try
        {
            var user = await graph.Users[idOrUserPrincipalName].GetAsync(rc => rc.QueryParameters.Select = ["id", "userPrincipalName", "mail"], ct);
            return string.IsNullOrEmpty(user?.Id) ? null : new DirectoryUser(user.Id, user.UserPrincipalName, user.Mail);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            return null;
        }
    }
}
