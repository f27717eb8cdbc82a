using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailRapport.Core;
using MailRapport.Server.Profiles;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MailRapport.Server.Tests.Api;

/// <summary>
/// The follow-up fields on <c>GET /api/contacts/{address}</c> (issue 14.1–14.3) and "Is this right?" (14.4): answers
/// round-trip, "not a person" is the automated override, answers survive a rescan and are erased with the mailbox.
/// </summary>
public sealed class FeedbackApiTests : IDisposable
{
    private readonly ServiceFactory factory = new(entra: false) { RealScanner = true };
    public void Dispose() => factory.Dispose();

    private async Task<HttpClient> ScannedAsync()
    {
        factory.Settings["Sample:Correspondents"] = "40";
        var client = factory.CreateClient();
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        await factory.Scanner.WaitForAsync(() => registry.GetAsync("sample").Result?.ScanFinishedAt is not null, TimeSpan.FromSeconds(90));
        return client;
    }

    private static async Task<List<JsonElement>> ContactsAsync(HttpClient client, string stage)
    {
        using var list = JsonDocument.Parse(await client.GetStringAsync($"/api/contacts?stage={stage}&pageSize=200"));
        return list.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())
            .Where(e => !e.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "automated")).ToList();
    }

    [Fact]
    public async Task Contact_carries_waiting_threads_next_contact_and_drift_as_the_model_computes_them()
    {
        var client = await ScannedAsync();
        var all = (await ContactsAsync(client, "relationship")).Concat(await ContactsAsync(client, "rapport")).Concat(await ContactsAsync(client, "contact")).ToList();
        var asOf = all[0].GetProperty("asOf").GetDateTimeOffset();
        var computed = (await factory.Services.GetRequiredService<ProfileService>().ComputeAsync("sample", asOf)).ToDictionary(p => p.Address);
        Assert.Contains(all, c => c.GetProperty("nextContact").GetProperty("known").GetBoolean());
        foreach (var c in all)
        {
            var address = c.GetProperty("address").GetString()!;
            using var detail = JsonDocument.Parse(await client.GetStringAsync($"/api/contacts/{address}"));
            var d = detail.RootElement;
            var model = computed[address];
            Assert.Equal(model.WaitingOnYou.Threads, d.GetProperty("waitingOnYou").GetProperty("threads").GetInt32());
            Assert.Equal(model.WaitingOnYou.Summary, Str(d.GetProperty("waitingOnYou"), "summary"));
            Assert.Equal(model.WaitingOnThem.Threads, d.GetProperty("waitingOnThem").GetProperty("threads").GetInt32());
            Assert.Equal(model.NextContact.Summary, d.GetProperty("nextContact").GetProperty("summary").GetString());
            Assert.Equal(model.NextContact.OverdueFactor, d.GetProperty("nextContact").GetProperty("overdueFactor") is { ValueKind: JsonValueKind.Number } o ? o.GetDouble() : null);
            Assert.Equal(model.ReplyDrift.Theirs.Flagged, d.GetProperty("replyDrift").GetProperty("theirs").GetProperty("flagged").GetBoolean());
            Assert.Equal(model.ReplyDrift.Mine.Summary, Str(d.GetProperty("replyDrift").GetProperty("mine"), "summary"));
        }
    }

    [Fact]
    public async Task Answers_round_trip_not_a_person_overrides_survive_a_rescan_and_are_erased_with_the_mailbox()
    {
        var client = await ScannedAsync();
        var relationship = (await ContactsAsync(client, "relationship"))[0].GetProperty("address").GetString()!;
        var rapport = (await ContactsAsync(client, "rapport"))[0].GetProperty("address").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync($"/api/contacts/{relationship}/feedback")).StatusCode);

        // "Closer than this" about a Relationship: stored with the stage shown; the stage (unchanged) does not agree.
        var closer = await client.PutAsJsonAsync($"/api/contacts/{relationship}/feedback", new { answer = "closer" });
        Assert.Equal(HttpStatusCode.OK, closer.StatusCode);
        using (var body = JsonDocument.Parse(await closer.Content.ReadAsStringAsync()))
        {
            Assert.Equal("closer", body.RootElement.GetProperty("answer").GetString());
            Assert.Equal("relationship", body.RootElement.GetProperty("shownStage").GetString());
            Assert.False(body.RootElement.GetProperty("agrees").GetBoolean());
        }
        // A second click replaces the first.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/contacts/{relationship}/feedback", new { answer = "right" })).StatusCode);
        using (var got = JsonDocument.Parse(await client.GetStringAsync($"/api/contacts/{relationship}/feedback")))
        {
            Assert.Equal("right", got.RootElement.GetProperty("answer").GetString());
            Assert.True(got.RootElement.GetProperty("agrees").GetBoolean());
        }

        // "Not a person" makes the address an automated sender at once.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/contacts/{rapport}/feedback", new { answer = "notAPerson" })).StatusCode);
        Assert.True(await IsAutomatedAsync(client, rapport));

        // Bad answers and unknown contacts are refused with problem details.
        var bad = await client.PutAsJsonAsync($"/api/contacts/{relationship}/feedback", new { answer = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("notAPerson", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync("/api/contacts/nobody@nowhere.example/feedback", new { answer = "right" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsJsonAsync("/api/contacts/not-an-address/feedback", new { answer = "right" })).StatusCode);

        await AssertListedAsync(client, relationship, rapport);

        // A rescan keeps the answers and the override.
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        var firstFinish = (await registry.GetAsync("sample"))!.ScanFinishedAt;
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/me/scan", null)).StatusCode);
        await factory.Scanner.WaitForAsync(() => registry.GetAsync("sample").Result?.ScanFinishedAt > firstFinish, TimeSpan.FromSeconds(90));
        await AssertListedAsync(client, relationship, rapport);
        Assert.True(await IsAutomatedAsync(client, rapport));

        // The evaluation reads the same answers: one "right" that agrees, one "not a person" the model had not seen.
        var db = factory.Settings["Store:Path"]!;
        var run = await CliRunner.RunAsync(factory.Directory, "evaluate", "--feedback-db", db);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("| sample | 2 | 1 | 0 | 0 | 1 | 1 (50.0%) | 2 (100.0%) |", run.Out);

        // Forgetting "not a person" gives the stage back.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/contacts/{rapport}/feedback")).StatusCode);
        Assert.False(await IsAutomatedAsync(client, rapport));

        // Erased with the mailbox.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/me/data")).StatusCode);
        Assert.Empty(await factory.Services.GetRequiredService<FeedbackStore>().ListAsync("sample"));
    }

    private static async Task AssertListedAsync(HttpClient client, string relationship, string rapport)
    {
        using var list = JsonDocument.Parse(await client.GetStringAsync("/api/feedback"));
        Assert.Equal(2, list.RootElement.GetProperty("answers").GetInt32());
        var items = list.RootElement.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("address").GetString()!, i => i.GetProperty("answer").GetString());
        Assert.Equal("right", items[relationship]);
        Assert.Equal("notAPerson", items[rapport]);
        Assert.Equal(2, list.RootElement.GetProperty("agreeing").GetInt32());
    }

    private static async Task<bool> IsAutomatedAsync(HttpClient client, string address)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync($"/api/contacts/{address}"));
        return doc.RootElement.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "automated");
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
