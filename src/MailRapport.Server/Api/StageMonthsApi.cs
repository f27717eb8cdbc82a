using MailRapport.Core;
using MailRapport.Server.Auth;
using MailRapport.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MailRapport.Server.Api;

/// <summary>The mailbox's stage counts month by month (the preview's chart), from the recorded stage history.</summary>
public static class StageMonthsApi
{
    public const int MaxMonths = 24;

    public static IEndpointRouteBuilder MapStageMonthsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/stages").WithTags("Overview").RequireApiCaller()
            .MapGet("/by-month", GetStagesByMonth)
            .WithSummary("People per stage at the end of each month (the month still running: now), from the stage history; automated senders left out.");
        return app;
    }

    public sealed record StageMonth(int Year, int Month, int Contact, int Rapport, int Relationship);
    public sealed record StageMonths(IReadOnlyList<StageMonth> Months);

    internal static async Task<Ok<StageMonths>> GetStagesByMonth(CallerMailbox caller, ProfileStore profiles, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(new StageMonths(Count(await profiles.PeopleStageChangesAsync(caller.MailboxId, ct), clock.GetUtcNow())));

    /// <summary>
    /// Each person's stage at the end of every month (the latest change before the month ends), counted per stage, from
    /// the first recorded month (at most <see cref="MaxMonths"/> back) to the month of <paramref name="now"/>.
    /// </summary>
    internal static IReadOnlyList<StageMonth> Count(IEnumerable<(string Address, DateTimeOffset At, Stage Stage)> changesInTimeOrder, DateTimeOffset now)
    {
        var changes = changesInTimeOrder.ToList();
        if (changes.Count == 0) return [];
        int last = MonthIndex.Of(now), first = Math.Max(MonthIndex.Of(changes[0].At), last - MaxMonths + 1);
        var stageOf = new Dictionary<string, Stage>(StringComparer.Ordinal);
        var result = new List<StageMonth>();
        int next = 0;
        for (int m = first; m <= last; m++)
        {
            var end = MonthIndex.Start(m).AddMonths(1);
            for (; next < changes.Count && changes[next].At < end; next++) stageOf[changes[next].Address] = changes[next].Stage;
            var (year, month) = MonthIndex.YearMonth(m);
            result.Add(new StageMonth(year, month, stageOf.Values.Count(s => s == Stage.Contact), stageOf.Values.Count(s => s == Stage.Rapport),
                stageOf.Values.Count(s => s == Stage.Relationship)));
        }
        return result;
    }
}
