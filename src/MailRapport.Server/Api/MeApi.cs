using MailRapport.Core;
using MailRapport.Server.Auth;
using MailRapport.Server.Delegated;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MailRapport.Server.Api;

/// <summary>The caller's own mailbox: its scan state, a scan on request, and erasing everything stored for it.</summary>
public static class MeApi
{
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/me").WithTags("Me").RequireApiCaller();
        me.MapGet("/", GetMe).WithSummary("The caller's mailbox: last and next scan, whether a scan is running, contacts per stage.");
        me.MapPost("/scan", RequestScan).WithSummary("Asks for a scan of the caller's mailbox now.");
        me.MapDelete("/data", EraseData).WithSummary("Erases everything stored for the caller's mailbox: interactions, profiles, history, scan state and its scheduled scans.");
        return app;
    }

    public sealed record StageCounts(long Contact, long Rapport, long Relationship);
    /// <summary>What the mailbox holds, for people ("received mail stored Oct–Dec 2000 only; …") and month by month.</summary>
    public sealed record CoverageResponse(string Summary, string? ReceivedStored, string? SentStored, string? CalendarStored, IReadOnlyList<MonthCoverage> Months);
    public sealed record NurtureCounts(long Active, long Cooling, long Dormant);

    public sealed record MeResponse(
        string Mailbox,
        bool Enrolled,
        DateTimeOffset? EnrolledAt,
        /// <summary>True until the first scan has finished: the pane shows "first scan running".</summary>
        bool FirstScanPending,
        bool ScanRunning,
        bool ScanQueued,
        DateTimeOffset? LastScanStartedAt,
        DateTimeOffset? LastScanFinishedAt,
        string? LastScanError,
        /// <summary>True when the last error cannot be fixed by retrying (consent missing, mailbox gone): no retry is scheduled.</summary>
        bool LastScanErrorPermanent,
        DateTimeOffset? NextScanAt,
        long Contacts,
        StageCounts Stages,
        NurtureCounts Nurture,
        /// <summary>What the mailbox holds; null until the first scan has computed profiles.</summary>
        CoverageResponse? Coverage,
        /// <summary>
        /// Delegated mode: the user's consent was revoked or their grant expired, so scans wait until they sign in again
        /// (the pane offers it; a fresh token clears this and queues a scan).
        /// </summary>
        bool NeedsSignIn = false,
        /// <summary>Why sign-in is needed, as the token endpoint or Graph said it; null otherwise.</summary>
        string? SignInReason = null);

    internal static async Task<Ok<MeResponse>> GetMe(CallerMailbox caller, MailboxRegistry registry, MailboxScheduler scheduler,
        ProfileStore profiles, MailboxGrants grants, CancellationToken ct)
    {
        var grant = await grants.GetAsync(caller.MailboxId, ct);
        var status = await registry.GetAsync(caller.MailboxId, ct);
        var stages = new long[3];
        var nurture = new long[3];
        foreach (var (stage, nu, n) in await profiles.CountAsync(caller.MailboxId, ct))
        {
            if (stage is >= 0 and <= Stage.Relationship) stages[(int)stage] += n;
            if (nu is >= 0 and <= Nurture.Dormant) nurture[(int)nu] += n;
        }
        bool queued = status is not null && MailboxScheduler.IsQueued(status);
        var coverage = await profiles.GetCoverageAsync(caller.MailboxId, ct);
        return TypedResults.Ok(new MeResponse(
            caller.MailboxId,
            status is not null,
            status?.EnrolledAt,
            status is not null && status.ScanFinishedAt is null,
            status?.ScanRunning ?? false,
            queued,
            status?.ScanStartedAt,
            status?.ScanFinishedAt,
            status?.ScanError,
            status?.ScanErrorPermanent ?? false,
            status is null ? null : await scheduler.NextNightlyAsync(caller.MailboxId, ct),
            stages.Sum(),
            new StageCounts(stages[(int)Stage.Contact], stages[(int)Stage.Rapport], stages[(int)Stage.Relationship]),
            new NurtureCounts(nurture[(int)Nurture.Active], nurture[(int)Nurture.Cooling], nurture[(int)Nurture.Dormant]),
            coverage is null ? null : new CoverageResponse(coverage.Describe(), NullIfEmpty(coverage.Ranges(m => m.ReceivedStored)),
                NullIfEmpty(coverage.Ranges(m => m.SentStored)), NullIfEmpty(coverage.Ranges(m => m.CalendarStored)), coverage.Months),
            grant?.NeedsSignIn ?? false,
            grant?.NeedsSignIn == true ? grant.Reason : null));
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    internal static async Task<Accepted> RequestScan(CallerMailbox caller, MailboxRegistry registry, MailboxScheduler scheduler,
        HostMode mode, CancellationToken ct)
    {
        // Local mode after an erase: scanning again brings the local mailbox back.
        if (mode.IsLocal)
            await registry.EnsureAsync(caller.MailboxId, MailboxOrigin.Local, ct);
        // Queues one scan at most, atomically in the store: a scan already queued absorbs this request.
        await scheduler.ScanNowAsync(caller.MailboxId, ct: ct);
        return TypedResults.Accepted("/api/me");
    }

    internal static async Task<NoContent> EraseData(CallerMailbox caller, MailboxEraser eraser, CancellationToken ct)
    {
        // Queued scan jobs find the mailbox unregistered and do nothing; a scan already running erases again when it finishes (ScanRunner).
        await eraser.EraseAsync(caller.MailboxId, ct);
        return TypedResults.NoContent();
    }
}
