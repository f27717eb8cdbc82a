using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MailRapport.Server.Scheduling;

/// <summary>This node's Hangfire server: its name on the dashboard and whether its job storage survives a restart.</summary>
public sealed record SchedulerIdentity(string ServerName, bool PersistentJobs);

/// <summary>Ready when the job storage answers and this node's Hangfire server has checked in within the last two minutes.</summary>
public sealed class SchedulerHealthCheck(JobStorage storage, SchedulerIdentity identity) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var servers = storage.GetMonitoringApi().Servers();
            var mine = servers.FirstOrDefault(s => s.Name.StartsWith(identity.ServerName + ":", StringComparison.Ordinal) || s.Name == identity.ServerName);
            if (mine is null)
                return Task.FromResult(HealthCheckResult.Unhealthy($"scheduler {identity.ServerName} has not started ({servers.Count} servers on the job storage)"));
            if (mine.Heartbeat is { } beat && beat < DateTime.UtcNow.AddMinutes(-2))
                return Task.FromResult(HealthCheckResult.Unhealthy($"scheduler {identity.ServerName} last checked in at {beat:o}"));
            return Task.FromResult(HealthCheckResult.Healthy($"scheduler {identity.ServerName} running with {mine.WorkersCount} workers ({servers.Count} servers)"));
        }
        catch (Exception e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"job storage unavailable: {e.Message}"));
        }
    }
}
