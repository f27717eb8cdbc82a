using System.Net;
using Hangfire;
using Hangfire.Dashboard;
using MailRapport.Server.Auth;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// Hangfire's dashboard under one path (default /jobs): every mailbox's scans, their durations and failures with
/// the reason, and a button to trigger the nightly run or retry a scan. Local mode serves it to loopback callers
/// (the service listens on loopback only and has no sign-in). Entra mode serves it only when enabled, and only to
/// callers holding the admin app role (or, read-only, the reader role).
/// </summary>
public static class JobsDashboard
{
    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ScanScheduleOptions>>().Value.Dashboard;
        var local = app.Services.GetRequiredService<HostMode>().IsLocal;
        if (!local && !options.Enabled) return app;
        var dashboard = new DashboardOptions
        {
            DashboardTitle = "MailRapport scans",
            AppPath = null,
            DisplayStorageConnectionString = false,
            Authorization = local ? [new LoopbackOnly()] : [new AppRole(options.AdminRole, options.ReaderRole)],
            IsReadOnlyFunc = local ? _ => false : ctx => !AppRole.Holds(ctx.GetHttpContext().User, options.AdminRole),
        };
        app.UseHangfireDashboard(options.Path, dashboard, app.Services.GetRequiredService<JobStorage>());
        return app;
    }

    private sealed class LoopbackOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var remote = context.GetHttpContext().Connection.RemoteIpAddress;
            // The test server has no connection at all; a real one always has an address.
            return remote is null || IPAddress.IsLoopback(remote);
        }
    }

    private sealed class AppRole(string admin, string? reader) : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return user.Identity?.IsAuthenticated == true
                && (Holds(user, admin) || (!string.IsNullOrWhiteSpace(reader) && Holds(user, reader)));
        }

        /// <summary>Entra puts app roles in the "roles" claim (inbound claim mapping is off).</summary>
        public static bool Holds(System.Security.Claims.ClaimsPrincipal user, string role) =>
            user.HasClaim("roles", role) || user.IsInRole(role);
    }
}
