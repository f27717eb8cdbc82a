using System.Text.Json;
using System.Text.Json.Nodes;
using MailRapport.Core;
using MailRapport.Server.Pane;
using MailRapport.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRapport.Server.Tests.Pane;

/// <summary>
/// A Kestrel host on a free loopback port serving the real pane (MapPane) and canned API answers in the
/// service's contract shape (ContactProfile through StoreJson.Options, plus stageHistory).
/// </summary>
internal sealed class CannedApiHost : IPaneHost
{
    public const string Owner = "owner@example.com";
    private readonly WebApplication app;
    public string BaseUrl { get; }
    public string OwnerAddress => Owner;
    public string Description => "in-test Kestrel host with canned API answers";

    private CannedApiHost(WebApplication app, string baseUrl) { this.app = app; BaseUrl = baseUrl; }

    public static async Task<CannedApiHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var contacts = Contacts().ToDictionary(c => c.Profile.Address, StringComparer.OrdinalIgnoreCase);

        app.MapPane();
        app.MapGet("/api/me", () => Results.Json(new
        {
            mailbox = Owner,
            enrolled = true,
            firstScanPending = false,
            scanRunning = false,
            lastScanFinishedAt = DateTimeOffset.Parse("2026-11-21T02:00:00Z"),
            nextScanAt = DateTimeOffset.Parse("2026-11-23T02:00:00Z"),
            contacts = contacts.Count,
            stages = new { contact = 2, rapport = 1, relationship = 2 },
            nurture = new { active = 3, cooling = 1, dormant = 1 },
        }));
        app.MapGet("/api/contacts/{address}", (string address) =>
            contacts.TryGetValue(address, out var c)
                ? Results.Text(c.Json.ToJsonString(), "application/json")
                : Results.Problem(statusCode: 404, title: "Unknown contact", detail: $"No interaction with {address} is stored."));
        app.MapGet("/api/contacts", (int? page, int? pageSize) => Results.Text(new JsonObject
        {
            ["page"] = page ?? 1,
            ["pageSize"] = pageSize ?? 50,
            ["total"] = contacts.Count,
            ["items"] = new JsonArray(contacts.Values.OrderByDescending(c => c.Profile.Strength)
                .Skip(((page ?? 1) - 1) * (pageSize ?? 50)).Take(pageSize ?? 50)
                .Select(c => (JsonNode)ListItem(c.Profile)).ToArray()),
        }.ToJsonString(), "application/json"));
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new CannedApiHost(app, url.TrimEnd('/'));
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private sealed record Canned(ContactProfile Profile, JsonObject Json);

    private static IEnumerable<Canned> Contacts()
    {
        var asOf = DateTimeOffset.Parse("2026-11-20T00:00:00Z");
        yield return Make(new ContactProfile
        {
            Address = "alice.martin@partner.example", DisplayName = "Alice Martin", Stage = Stage.Relationship, Nurture = Nurture.Active,
            Harmony = 84, Depth = 72, Strength = 80, AsOf = asOf,
            Evidence = new Evidence
            {
                MessagesSent = 46, MessagesReceived = 52, SharedThreads = 19, SharedMeetings = 7, MeetingHours = 6.5,
                FirstInteraction = asOf.AddMonths(-26), LastInteraction = asOf.AddDays(-3), MedianReplyHoursMine = 3.2,
                MedianReplyHoursTheirs = 5.1, RepliesMine = 20, RepliesTheirs = 22, ActiveMonths = 19, SpanDays = 790, SilenceDays = 3,
            },
            Reasons = ["Two-way exchange in 19 of the last 26 months", "7 meetings together (6.5 h)", "You both answer within a working day"],
            NextStep = "Keep the rhythm: a short check-in before the year closes.",
            Timeline = Enumerable.Range(0, 12).Select(i => new MonthActivity(asOf.AddMonths(-i).Year, asOf.AddMonths(-i).Month, 2 + i % 4, 3 + (i * 7) % 5, i % 3 == 0 ? 1 : 0)).ToList(),
        }, [("rapport", "2024-12-01T00:00:00Z"), ("relationship", "2025-09-01T00:00:00Z")]);
        yield return Make(new ContactProfile
        {
            Address = "bob.chen@partner.example", DisplayName = "Bob Chen", Stage = Stage.Rapport, Nurture = Nurture.Cooling,
            Harmony = 61, Depth = 34, Strength = 48, AsOf = asOf,
            Evidence = new Evidence { MessagesSent = 12, MessagesReceived = 15, SharedThreads = 6, FirstInteraction = asOf.AddMonths(-9), LastInteraction = asOf.AddDays(-64), SilenceDays = 64, ActiveMonths = 5, UsualGapDays = 18 },
            Reasons = ["Real back-and-forth in 6 threads", "Silent for 64 days, against a usual gap of 18"],
            NextStep = "Reach out: it has been quiet for longer than usual.",
            Timeline = [new MonthActivity(2026, 6, 3, 4, 0), new MonthActivity(2026, 8, 2, 3, 0), new MonthActivity(2026, 9, 1, 2, 0)],
        }, [("contact", "2026-02-01T00:00:00Z"), ("rapport", "2026-05-01T00:00:00Z")]);
        yield return Make(new ContactProfile
        {
            Address = "carol@client.example", DisplayName = "Carol Diaz", Stage = Stage.Contact, Nurture = Nurture.Active,
            Flags = ContactFlags.OneWayInbound, Harmony = 12, Depth = 5, Strength = 9, AsOf = asOf,
            Evidence = new Evidence { MessagesReceived = 3, FirstInteraction = asOf.AddDays(-20), LastInteraction = asOf.AddDays(-2), SilenceDays = 2, ActiveMonths = 1 },
            Reasons = ["She wrote 3 times; you have not answered yet"],
            NextStep = "Answer her last mail to start a two-way exchange.",
            Timeline = [new MonthActivity(2026, 11, 0, 3, 0)],
        }, []);
        yield return Make(new ContactProfile
        {
            Address = "dave@old.example", DisplayName = "Dave Okafor", Stage = Stage.Relationship, Nurture = Nurture.Dormant,
            Harmony = 70, Depth = 66, Strength = 41, AsOf = asOf,
            Evidence = new Evidence { MessagesSent = 30, MessagesReceived = 28, SharedThreads = 14, SharedMeetings = 4, MeetingHours = 3, FirstInteraction = asOf.AddYears(-4), LastInteraction = asOf.AddDays(-300), SilenceDays = 300, ActiveMonths = 22 },
            Reasons = ["Four years of two-way exchange", "Nothing for 300 days"],
            NextStep = "Reconnect: share something useful or suggest a call.",
            Timeline = [],
        }, [("relationship", "2023-04-01T00:00:00Z")]);
        yield return Make(new ContactProfile
        {
            Address = "no-reply@news.example", DisplayName = "Example News", Stage = Stage.Contact, Nurture = Nurture.Active,
            Flags = ContactFlags.Automated | ContactFlags.OneWayInbound, Harmony = 0, Depth = 0, Strength = 0, AsOf = asOf,
            Evidence = new Evidence { MessagesReceived = 41, FirstInteraction = asOf.AddMonths(-14), LastInteraction = asOf.AddDays(-1), SilenceDays = 1 },
            Reasons = ["Automated sender"], NextStep = "Nothing to do.", AutomatedReason = "no-reply address and List-Unsubscribe header",
        }, []);
    }

    private static JsonObject ListItem(ContactProfile profile) => JsonSerializer.SerializeToNode(profile, StoreJson.Options)!.AsObject();

    private static Canned Make(ContactProfile profile, (string Stage, string At)[] history)
    {
        var json = ListItem(profile);
        json["stageHistory"] = new JsonArray(history.Select(h => (JsonNode)new JsonObject { ["at"] = h.At, ["stage"] = h.Stage, ["nurture"] = "active" }).ToArray());
        return new Canned(profile, json);
    }
}
