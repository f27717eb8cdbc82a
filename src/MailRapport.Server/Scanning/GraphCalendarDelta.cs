using System.Globalization;
using MailRapport.Core;
using MailRapport.Server.Graph;
using Microsoft.Graph;

namespace MailRapport.Server.Scanning;

/// <summary>The calendar: one calendarView window (whole months) read by event delta, in UTC, with immutable ids.</summary>
internal sealed class GraphCalendarDelta(GraphServiceClient graph, GraphPageReader reader, GraphOptions options)
{
    internal const string ScopePrefix = "calendar:";
    internal const string HistoryScope = "calendar:history";

    /// <summary>Configured days back/ahead, widened to whole months so the window (and its delta state) changes once a month.</summary>
    internal static (DateTimeOffset Start, DateTimeOffset End) Window(GraphOptions options, DateTimeOffset now)
    {
        var start = MonthIndex.Start(MonthIndex.Of(now.AddDays(-options.CalendarDaysBack)));
        var end = MonthIndex.Start(MonthIndex.Of(now.AddDays(options.CalendarDaysAhead)) + 1);
        return (start, end);
    }

    internal static string ScopeOf(DateTimeOffset start, DateTimeOffset end) => $"{ScopePrefix}{start:yyyy-MM-dd}/{end:yyyy-MM-dd}";

    public async Task<FetchedPage<MeetingInteraction>> FetchAsync(string mailboxId, DateTimeOffset start, DateTimeOffset end,
        string? link, GraphInteractionMapper mapper, CancellationToken ct)
    {
        var request = GraphPageReader.PageRequest(link,
            [$"odata.maxpagesize={options.PageSize}", "outlook.timezone=\"UTC\"", "IdType=\"ImmutableId\""],
            () => graph.Users[mailboxId].CalendarView.Delta.ToGetRequestInformation(rc =>
            {
                rc.QueryParameters.StartDateTime = start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);
                rc.QueryParameters.EndDateTime = end.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);
            }));
        var response = await reader.ReadAsync(request, GraphPageJson.Default.GraphDeltaPageGraphEvent, ct);
        var items = response.Value ?? [];
        var upserts = new List<(string, MeetingInteraction?)>(items.Count);
        var removed = new List<string>();
        int skipped = 0;
        foreach (var e in items)
        {
            if (string.IsNullOrEmpty(e?.Id)) { skipped++; continue; } // a null item too: counted and skipped, not the page lost
            // @removed also covers events that moved out of the window: either way they leave this scope.
            if (e.Removed is not null) { removed.Add(e.Id); continue; }
            var interaction = mapper.Map(e);
            if (interaction is null && !GraphInteractionMapper.IsSeriesMaster(e)) skipped++;
            upserts.Add((e.Id, interaction));
        }
        return new FetchedPage<MeetingInteraction>(new GraphPageChanges<MeetingInteraction>(upserts, removed),
            response.NextLink, response.DeltaLink, skipped);
    }
}
