using System.Text.Json;
using MailRapport.Server.Api;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MailRapport.Server.Tests.Api;

/// <summary>
/// Pins the JSON the pane reads, on the local sample mailbox: the names at every level of a contact (stage history
/// included), a page and /api/me; that the contract types describe those bodies exactly; and that the OpenAPI
/// document advertises the same names.
/// </summary>
public sealed class ContactContractTests : IDisposable
{
    private static readonly string[] ContactKeys =
    [
        "address", "displayName", "stage", "nurture", "flags", "harmony", "depth", "strength", "evidence", "reasons", "nextStep",
        "decision", "automatedReason", "asOf", "timeline", "waitingOnYou", "waitingOnThem", "nextContact", "replyDrift",
    ];

    private static readonly string[] EvidenceKeys =
    [
        "messagesSent", "messagesReceived", "sharedThreads", "sharedMeetings", "meetingHours", "firstInteraction", "lastInteraction",
        "medianReplyHoursMine", "medianReplyHoursTheirs", "repliesMine", "repliesTheirs", "answeredByMeetingMine", "answeredByMeetingTheirs",
        "activeMonths", "spanDays", "usualGapDays", "silenceDays", "lastSent", "lastReceived",
    ];

    private readonly ServiceFactory factory = new(entra: false) { RealScanner = true };
    public void Dispose() => factory.Dispose();

    private async Task<HttpClient> ScannedSampleAsync()
    {
        factory.Settings["Sample:Correspondents"] = "40";
        var client = factory.CreateClient();
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        await factory.Scanner.WaitForAsync(() => registry.GetAsync("sample").Result?.ScanFinishedAt is not null, TimeSpan.FromMinutes(2));
        return client;
    }

    private static string[] Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task Contact_page_and_me_answer_the_names_the_pane_reads()
    {
        var client = await ScannedSampleAsync();

        using var page = JsonDocument.Parse(await client.GetStringAsync("/api/contacts?pageSize=200"));
        Assert.Equal(["page", "pageSize", "total", "items"], Keys(page.RootElement));
        var items = page.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.Equal(ContactKeys, Keys(i))); // no stage history in pages

        var withDecision = items.First(i => i.GetProperty("decision").ValueKind == JsonValueKind.Object);
        var address = withDecision.GetProperty("address").GetString()!;
        var body = await client.GetStringAsync($"/api/contacts/{address}");
        using var contact = JsonDocument.Parse(body);
        var root = contact.RootElement;
        Assert.Equal([.. ContactKeys, "stageHistory"], Keys(root));
        Assert.Equal(EvidenceKeys, Keys(root.GetProperty("evidence")));
        Assert.Contains(root.GetProperty("stage").GetString(), new[] { "contact", "rapport", "relationship" });
        Assert.Contains(root.GetProperty("nurture").GetString(), new[] { "active", "cooling", "dormant" });
        Assert.All(root.GetProperty("flags").EnumerateArray(), f => Assert.Equal(JsonValueKind.String, f.ValueKind));
        var decision = root.GetProperty("decision");
        Assert.Equal(["stage", "rapport", "relationship", "window"], Keys(decision));
        Assert.Equal(["name", "met", "value", "required", "detail"], Keys(decision.GetProperty("rapport")[0]));
        Assert.Equal(["from", "to", "months", "wholeHistory", "messagesSent", "messagesReceived", "balance", "backAndForth"],
            Keys(decision.GetProperty("window")));
        Assert.Equal(["year", "month", "sent", "received", "meetings"], Keys(root.GetProperty("timeline")[0]));
        var history = root.GetProperty("stageHistory");
        Assert.NotEqual(0, history.GetArrayLength()); // the first scan backfills it
        Assert.Equal(["at", "stage", "nurture"], Keys(history[0]));
        Assert.Contains(history[0].GetProperty("stage").GetString(), new[] { "contact", "rapport", "relationship" });

        // The contract type is the body: read into it and written back, nothing is lost or added.
        var typed = JsonSerializer.Deserialize(body, ApiJsonContext.Default.ContactResponse)!;
        Assert.Equal(address, typed.Address);
        Assert.Equal(body, JsonSerializer.Serialize(typed, ApiJsonContext.Default.ContactResponse));

        using var me = JsonDocument.Parse(await client.GetStringAsync("/api/me"));
        Assert.Equal(
        [
            "mailbox", "enrolled", "enrolledAt", "firstScanPending", "scanRunning", "scanQueued", "lastScanStartedAt", "lastScanFinishedAt",
            "lastScanError", "lastScanErrorPermanent", "nextScanAt", "contacts", "stages", "nurture", "coverage", "needsSignIn", "signInReason",
        ], Keys(me.RootElement));
        Assert.Equal(page.RootElement.GetProperty("total").GetInt64(), me.RootElement.GetProperty("contacts").GetInt64());
        Assert.Equal(["contact", "rapport", "relationship"], Keys(me.RootElement.GetProperty("stages")));
    }

    [Fact]
    public async Task OpenApi_describes_the_contact_as_answered()
    {
        var client = factory.CreateClient();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var ok = doc.RootElement.GetProperty("paths").GetProperty("/api/contacts/{address}").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var name = ok.GetProperty("$ref").GetString()!.Split('/')[^1];
        Assert.Equal(nameof(ContactResponse), name);
        var schema = doc.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(name);
        Assert.Equal([.. ContactKeys, "stageHistory"], Keys(schema.GetProperty("properties")));
        var stage = schema.GetProperty("properties").GetProperty("stage");
        var stageSchema = stage.TryGetProperty("$ref", out var r)
            ? doc.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(r.GetString()!.Split('/')[^1])
            : stage;
        Assert.Equal(["contact", "rapport", "relationship"], stageSchema.GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }
}
