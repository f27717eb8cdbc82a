using System.Net;
using System.Text.Json;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MailRapport.Server.Tests.Api;

public sealed class EnrolmentTests : IDisposable
{
    private readonly ServiceFactory factory = new(entra: true);
    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task First_call_enrols_the_mailbox_scans_it_at_once_and_schedules_the_nights()
    {
        factory.Scanner.Delay = TimeSpan.FromSeconds(1);
        var alice = factory.ClientFor(TestTokens.Alice);
        using (var me = JsonDocument.Parse(await alice.GetStringAsync("/api/me")))
        {
            Assert.Equal(TestTokens.Alice.MailboxId, me.RootElement.GetProperty("mailbox").GetString());
            Assert.True(me.RootElement.GetProperty("firstScanPending").GetBoolean());
            Assert.True(me.RootElement.GetProperty("nextScanAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        }
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor(TestTokens.Alice.MailboxId) == 1);
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        await factory.Scanner.WaitForAsync(() => registry.GetAsync(TestTokens.Alice.MailboxId).Result?.ScanFinishedAt is not null);
        var status = await registry.GetAsync(TestTokens.Alice.MailboxId);
        Assert.Equal((TestTokens.TenantA, TestTokens.Alice.ObjectId), (status!.TenantId, status.ObjectId));

        // Later calls find the mailbox by (tid, oid) and do not scan again.
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/contacts")).StatusCode);
        await Task.Delay(300);
        Assert.Equal(1, factory.Scanner.CountFor(TestTokens.Alice.MailboxId));
        // The one nightly job covers every registered mailbox.
        using var connection = factory.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
        Assert.Equal(ScanJob.NightlyJobId, Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection)).Id);
    }

    [Fact]
    public async Task Only_the_endpoints_that_serve_the_callers_mailbox_enrol_and_only_after_sign_in_is_checked()
    {
        var alice = factory.ClientFor(TestTokens.Alice);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/pane/config.json")).StatusCode);
        var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/me")).StatusCode);
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        Assert.Null(await registry.FindByUserAsync(TestTokens.TenantA, TestTokens.Alice.ObjectId));

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/me")).StatusCode);
        Assert.Equal(TestTokens.Alice.MailboxId, await registry.FindByUserAsync(TestTokens.TenantA, TestTokens.Alice.ObjectId));
    }
}

public sealed class StageHistoryTests : IDisposable
{
    private readonly ServiceFactory factory = new(entra: false) { RealScanner = true };
    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task The_first_scan_of_the_sample_records_when_contacts_changed_stage()
    {
        factory.Settings["Sample:Correspondents"] = "30";
        var client = factory.CreateClient();
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        await factory.Scanner.WaitForAsync(() => registry.GetAsync("sample").Result?.ScanFinishedAt is not null, TimeSpan.FromSeconds(90));

        using var list = JsonDocument.Parse(await client.GetStringAsync("/api/contacts?stage=relationship&pageSize=200"));
        Assert.True(list.RootElement.GetProperty("total").GetInt64() > 0);
        var address = list.RootElement.GetProperty("items")[0].GetProperty("address").GetString();
        using var contact = JsonDocument.Parse(await client.GetStringAsync($"/api/contacts/{address}"));
        var history = contact.RootElement.GetProperty("stageHistory").EnumerateArray().ToList();
        // A relationship grew: its history starts lower and its last row is the relationship stage, at a month start.
        Assert.True(history.Count >= 2, $"history of {address}: {contact.RootElement.GetProperty("stageHistory")}");
        Assert.NotEqual("relationship", history[0].GetProperty("stage").GetString());
        Assert.Contains(history, h => h.GetProperty("stage").GetString() == "relationship" && h.GetProperty("at").GetDateTimeOffset().Day == 1);

        // A second scan changes nothing, so it records nothing.
        var rows = history.Count;
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/me/scan", null)).StatusCode);
        var firstFinish = (await registry.GetAsync("sample"))!.ScanFinishedAt;
        await factory.Scanner.WaitForAsync(() => registry.GetAsync("sample").Result?.ScanFinishedAt > firstFinish, TimeSpan.FromSeconds(90));
        using var again = JsonDocument.Parse(await client.GetStringAsync($"/api/contacts/{address}"));
        Assert.Equal(rows, again.RootElement.GetProperty("stageHistory").GetArrayLength());
    }
}
