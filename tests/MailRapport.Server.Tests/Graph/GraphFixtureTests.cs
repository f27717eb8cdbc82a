using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MailRapport.Core;
using MailRapport.Server.Scanning;

namespace MailRapport.Server.Tests.Graph;

/// <summary>Skips when ../shared/reference/graph/fixtures (Graph documentation examples) is not on this machine.</summary>
public sealed class GraphFixturesFactAttribute : FactAttribute
{
    public GraphFixturesFactAttribute()
    {
        if (GraphFixtureTests.FixtureDirectory() is null)
            Skip = "Graph fixtures not found (looked for shared/reference/graph/fixtures above the test directory); copy them there to run this test.";
    }
}

/// <summary>The Graph documentation's own example responses parse through the scanner's page types and map as expected.</summary>
public sealed class GraphFixtureTests
{
    internal static string? FixtureDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "reference", "graph", "fixtures");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Parsed as the scanner parses a page (<see cref="GraphPageReader"/>).</summary>
    private static async Task<GraphDeltaPage<T>> ParseAsync<T>(string file, JsonTypeInfo<GraphDeltaPage<T>> type)
    {
        await using var stream = File.OpenRead(Path.Combine(FixtureDirectory()!, file));
        return (await JsonSerializer.DeserializeAsync(stream, type))!;
    }

    /// <summary>A single resource (not a page): wrapped as a one-item page so it goes through the same types.</summary>
    private static async Task<T> ParseOneAsync<T>(string file, JsonTypeInfo<GraphDeltaPage<T>> type)
    {
        var json = await File.ReadAllTextAsync(Path.Combine(FixtureDirectory()!, file));
        return JsonSerializer.Deserialize("{\"value\":[" + json + "]}", type)!.Value![0];
    }

    /// <summary>A message page, parsed as <see cref="GraphMessageDelta"/> parses it (<see cref="GraphMessagePageParser"/>).</summary>
    private static async Task<GraphDeltaPage<GraphMessage>> ParseMessagesAsync(string file) =>
        GraphMessagePageParser.Parse(await File.ReadAllBytesAsync(Path.Combine(FixtureDirectory()!, file)))!;

    private static async Task<GraphMessage> ParseOneMessageAsync(string file)
    {
        var json = await File.ReadAllTextAsync(Path.Combine(FixtureDirectory()!, file));
        return GraphMessagePageParser.Parse(Encoding.UTF8.GetBytes("{\"value\":[" + json + "]}"))!.Value![0];
    }
    private static readonly JsonTypeInfo<GraphDeltaPage<GraphEvent>> EventDelta = GraphPageJson.Default.GraphDeltaPageGraphEvent;

    private static readonly GraphInteractionMapper Mapper = new(["danas@contoso.com"]);

    [GraphFixturesFact]
    public async Task Message_delta_pages_carry_next_and_delta_links()
    {
        var page1 = await ParseMessagesAsync("messages-delta-round1-page1.json");
        Assert.Contains("$skiptoken=", page1.NextLink, StringComparison.Ordinal);
        Assert.Null(page1.DeltaLink);
        Assert.Equal(["AAMkADNkNAAASq35xAAA=", "AQMkADNkNAAAVRMKAAAAA=="], page1.Value!.Select(m => m.Id));
        Assert.Equal("danas@contoso.com", page1.Value![0].Sender!.EmailAddress!.Address);
        Assert.All(page1.Value!, m => Assert.Null(m.Removed));
        // The doc sample is truncated (no dates, no recipients): not an interaction, so it is counted as skipped.
        Assert.Null(Mapper.Map(page1.Value![0]));
        Assert.Equal("graph:AAMkADNkNAAASq35xAAA=", GraphInteractionMapper.MessageKey(page1.Value![0]));

        var last = await ParseMessagesAsync("messages-delta-round1-page3-final.json");
        Assert.Null(last.NextLink);
        Assert.Contains("$deltatoken=", last.DeltaLink, StringComparison.Ordinal);
    }

    [GraphFixturesFact]
    public async Task Message_delta_round_two_reports_removed_items_and_tolerates_a_string_boolean()
    {
        var round2 = await ParseMessagesAsync("messages-delta-round2-removed-and-updated.json");
        Assert.Equal(2, round2.Value!.Count);
        Assert.NotNull(round2.Value[0].Removed);
        Assert.Null(round2.Value[1].Removed);
        Assert.Equal("AAMkADNkNAAASq35xAAA=", round2.Value[1].Id);
        Assert.Contains("$deltatoken=", round2.DeltaLink, StringComparison.Ordinal);

        // With a date added, the updated item maps: Dana is the owner here, so it is outgoing.
        var updated = round2.Value[1];
        updated.SentDateTime = new DateTimeOffset(2016, 12, 1, 9, 0, 0, TimeSpan.Zero);
        var mapped = Mapper.Map(updated);
        Assert.NotNull(mapped);
        Assert.Equal(Direction.Outgoing, mapped.Direction);
    }

    [GraphFixturesFact]
    public async Task CalendarView_delta_events_map_to_utc_meetings()
    {
        var page1 = await ParseAsync("calendarview-delta-round1-page1.json", EventDelta);
        Assert.Contains("$skiptoken=", page1.NextLink, StringComparison.Ordinal);
        var meeting = Mapper.Map(page1.Value![0]);
        Assert.NotNull(meeting);
        Assert.Equal(new DateTimeOffset(2016, 12, 9, 20, 30, 0, TimeSpan.Zero), meeting.Start);
        Assert.Equal(new DateTimeOffset(2016, 12, 9, 22, 0, 0, TimeSpan.Zero), meeting.End);
        Assert.Equal("samanthab@contoso.onmicrosoft.com", meeting.Organizer);
        Assert.Equal("Samantha Booth", meeting.OrganizerDisplayName);
        Assert.Empty(meeting.Attendees);

        var round2 = await ParseAsync("calendarview-delta-round2-removed-and-added.json", EventDelta);
        Assert.NotNull(round2.Value![0].Removed);
        var added = Mapper.Map(round2.Value[1]);
        Assert.NotNull(added);
        Assert.Equal(new DateTimeOffset(2016, 12, 25, 6, 0, 0, TimeSpan.Zero), added.Start);
        Assert.Contains("$deltatoken=", round2.DeltaLink, StringComparison.Ordinal);
    }

    [GraphFixturesFact]
    public async Task Events_in_a_named_time_zone_are_converted_to_utc()
    {
        var list = await ParseAsync("user-list-events-pst.json", EventDelta);
        var e = list.Value![0];
        var meeting = Mapper.Map(e);
        Assert.NotNull(meeting);
        // 10:00 Pacific Daylight Time on 21 April 2017 is 17:00 UTC.
        Assert.Equal(new DateTimeOffset(2017, 4, 21, 17, 0, 0, TimeSpan.Zero), meeting.Start);
        Assert.All(meeting.Attendees, a => Assert.Equal(AttendeeResponse.None, a.Response));
        Assert.DoesNotContain(meeting.Attendees, a => a.Address == meeting.Organizer);
    }

    [GraphFixturesFact]
    public async Task Internet_message_headers_and_listed_messages_parse()
    {
        // None of its four headers is an automation header: the scanner keeps none of them.
        var message = await ParseOneMessageAsync("message-get-internetMessageHeaders.json");
        Assert.Empty(message.InternetMessageHeaders!);
        Assert.Equal(AutomationMarkers.None, GraphInteractionMapper.Markers(message.InternetMessageHeaders));

        var list = await ParseMessagesAsync("user-list-messages-select-sender-subject.json");
        Assert.NotEmpty(list.Value!);
        Assert.All(list.Value!, m => Assert.NotNull(m.Sender?.EmailAddress?.Address));
    }

    [GraphFixturesFact]
    public async Task Message_pages_parse_by_hand_as_System_Text_Json_parses_them()
    {
        foreach (var file in Directory.GetFiles(FixtureDirectory()!, "*message*.json"))
        {
            var json = await File.ReadAllTextAsync(file);
            if (!json.TrimStart().StartsWith('{') || !json.Contains("\"value\"", StringComparison.Ordinal))
                json = "{\"value\":[" + json + "]}";
            Assert.Equal(GraphMessagePageParserTests.Describe(GraphMessagePageParserTests.Reference(json), onlyAutomationHeaders: true),
                GraphMessagePageParserTests.Describe(GraphMessagePageParser.Parse(Encoding.UTF8.GetBytes(json)), onlyAutomationHeaders: false));
        }
    }
}
