using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MailRapport.Server.Graph;
using MailRapport.Server.Scanning;

/// <summary>The baseline: plain HttpClient and JsonDocument over the same folder list and delta endpoints.</summary>
internal static class RawBaseline
{
    public static async Task<PagingResult> RunAsync(string baseUrl, string owner, int pageSize, GraphOptions options, DateTimeOffset now)
    {
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        long items = 0, requests = 0;
        var user = $"{baseUrl}/users/{Uri.EscapeDataString(owner)}";
        async Task<JsonDocument> Get(string url, params string[] prefer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            foreach (var p in prefer) request.Headers.TryAddWithoutValidation("Prefer", p);
            requests++;
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        }
        var excluded = new HashSet<string>();
        foreach (var name in options.ExcludedWellKnownFolders)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{user}/mailFolders/{name}?$select=id");
            requests++;
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode) continue;
            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
            excluded.Add(doc.RootElement.GetProperty("id").GetString()!);
        }
        var folders = new List<string>();
        var pending = new Queue<string?>([null]);
        while (pending.Count > 0)
        {
            var parent = pending.Dequeue();
            using var doc = await Get(parent is null ? $"{user}/mailFolders?$top=250" : $"{user}/mailFolders/{parent}/childFolders?$top=250");
            foreach (var f in doc.RootElement.GetProperty("value").EnumerateArray())
            {
                var id = f.GetProperty("id").GetString()!;
                if (excluded.Contains(id)) continue;
                folders.Add(id);
                if (f.GetProperty("childFolderCount").GetInt32() > 0) pending.Enqueue(id);
            }
        }
        var select = string.Join(',', GraphMessageDelta.Select.Append("internetMessageHeaders"));
        var prefer = new[] { $"odata.maxpagesize={pageSize}", "IdType=\"ImmutableId\"" };
        foreach (var folder in folders)
        {
            string? url = $"{user}/mailFolders/{folder}/messages/delta()?$select={select}";
            while (url is not null)
            {
                using var doc = await Get(url, prefer);
                foreach (var m in doc.RootElement.GetProperty("value").EnumerateArray())
                {
                    // Touch what the mapper reads, as the SDK path does.
                    if (m.TryGetProperty("from", out var from)) _ = from.GetProperty("emailAddress").GetProperty("address").GetString();
                    if (m.TryGetProperty("sentDateTime", out var sent)) _ = sent.GetDateTimeOffset();
                    items++;
                }
                url = doc.RootElement.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
            }
        }
        var start = new DateTimeOffset(now.Year - 3, 1, 1, 0, 0, 0, TimeSpan.Zero).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var end = now.AddDays(120).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        string? cal = $"{user}/calendarView/delta()?startDateTime={start}&endDateTime={end}";
        while (cal is not null)
        {
            using var doc = await Get(cal, $"odata.maxpagesize={pageSize}", "outlook.timezone=\"UTC\"");
            items += doc.RootElement.GetProperty("value").GetArrayLength();
            cal = doc.RootElement.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
        }
        return new PagingResult(items, requests, clock.Elapsed);
    }
}

/// <summary>The same paging through the Graph SDK models (Kiota parsing), with no store behind it.</summary>
internal static class SdkPaging
{
    public static async Task<PagingResult> RunAsync(MailGraphClientFactory factory, string owner, IReadOnlyList<MailFolderInfo> folders,
        int pageSize, GraphOptions options, DateTimeOffset now)
    {
        var graph = factory.Create();
        var clock = Stopwatch.StartNew();
        long items = 0;
        string[] select = [.. GraphMessageDelta.Select, "internetMessageHeaders"];
        foreach (var folder in folders)
        {
            var delta = graph.Users[owner].MailFolders[folder.Id].Messages.Delta;
            var page = await delta.GetAsDeltaGetResponseAsync(rc =>
            {
                rc.QueryParameters.Select = select;
                rc.Headers.Add("Prefer", $"odata.maxpagesize={pageSize}");
                rc.Headers.Add("Prefer", "IdType=\"ImmutableId\"");
            });
            while (page is not null)
            {
                items += page.Value?.Count ?? 0;
                page = page.OdataNextLink is null ? null : await delta.WithUrl(page.OdataNextLink).GetAsDeltaGetResponseAsync(rc =>
                {
                    rc.Headers.Add("Prefer", $"odata.maxpagesize={pageSize}");
                    rc.Headers.Add("Prefer", "IdType=\"ImmutableId\"");
                });
            }
        }
        var (start, end) = GraphCalendarDelta.Window(options, now);
        var events = graph.Users[owner].CalendarView.Delta;
        var cal = await events.GetAsDeltaGetResponseAsync(rc =>
        {
            rc.QueryParameters.StartDateTime = start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            rc.QueryParameters.EndDateTime = end.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            rc.Headers.Add("Prefer", $"odata.maxpagesize={pageSize}");
        });
        while (cal is not null)
        {
            items += cal.Value?.Count ?? 0;
            cal = cal.OdataNextLink is null ? null : await events.WithUrl(cal.OdataNextLink).GetAsDeltaGetResponseAsync(rc => rc.Headers.Add("Prefer", $"odata.maxpagesize={pageSize}"));
        }
        return new PagingResult(items, factory.Counter.Requests, clock.Elapsed);
    }
}

/// <summary>The scanner's own reading (SDK request builders and pipeline, light types, the mapper) with no store behind it.</summary>
internal static class ScannerPaging
{
    public static async Task<PagingResult> RunAsync(MailGraphClientFactory factory, string owner, IReadOnlyList<MailFolderInfo> folders,
        GraphOptions options, DateTimeOffset now)
    {
        var graph = factory.Create();
        var reader = new GraphPageReader(graph);
        var messages = new GraphMessageDelta(graph, reader, options);
        var calendar = new GraphCalendarDelta(graph, reader, options);
        var mapper = new GraphInteractionMapper([owner]);
        var clock = Stopwatch.StartNew();
        long items = 0;
        foreach (var folder in folders)
        {
            string? link = null;
            do
            {
                var page = await messages.FetchAsync(owner, folder.Id, link, mapper, default);
                items += page.Changes.Upserts.Count;
                link = page.NextLink;
            } while (link is not null);
        }
        var (start, end) = GraphCalendarDelta.Window(options, now);
        string? cal = null;
        do
        {
            var page = await calendar.FetchAsync(owner, start, end, cal, mapper, default);
            items += page.Changes.Upserts.Count;
            cal = page.NextLink;
        } while (cal is not null);
        return new PagingResult(items, factory.Counter.Requests, clock.Elapsed);
    }
}
