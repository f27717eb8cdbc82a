using Quartz;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// The Quartz job: one per mailbox (the job key's name is the mailbox id), so DisallowConcurrentExecution means
/// never two scans of one mailbox at once, across the whole cluster. All the work is in <see cref="ScanRunner"/>.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ScanJob(ScanRunner runner) : IJob
{
    public const string Group = "mailbox-scan";
    /// <summary>Trigger data: skip the run when the mailbox already finished a scan at or after this instant (Unix ms).</summary>
    public const string SkipIfFinishedSince = "skipIfFinishedSince";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var mailboxId = context.JobDetail.Key.Name;
        DateTimeOffset? skipIfSince = context.Trigger.JobDataMap.TryGetLong(SkipIfFinishedSince, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        await runner.RunAsync(mailboxId, skipIfSince, cancellationToken);
    }
}
