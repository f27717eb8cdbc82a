using System.Net;
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
        factory.Scanner.Hold();
        var alice = factory.ClientFor(TestTokens.Alice);
        var me = await alice.GetBodyAsync<MeBody>("/api/me");
        Assert.Equal((TestTokens.Alice.MailboxId, true), (me.Mailbox, me.FirstScanPending));
        Assert.True(me.NextScanAt > DateTimeOffset.UtcNow);
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor(TestTokens.Alice.MailboxId) == 1);
        factory.Scanner.Release();
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        await factory.Scanner.WaitForAsync(() => registry.GetAsync(TestTokens.Alice.MailboxId).Result?.ScanFinishedAt is not null);
        var status = await registry.GetAsync(TestTokens.Alice.MailboxId);
        Assert.Equal((TestTokens.TenantA, TestTokens.Alice.ObjectId), (status!.TenantId, status.ObjectId));

        // Later calls find the mailbox by (tid, oid) and do not scan again: a scan would be requested inside the call.
        await factory.WaitForJobsIdleAsync();
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/contacts")).StatusCode);
        var after = await registry.GetAsync(TestTokens.Alice.MailboxId);
        Assert.Equal((status.ScanRequestedAt, false), (after!.ScanRequestedAt, after.ScanQueued));
        var jobs = factory.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().GetStatistics();
        Assert.Equal((0L, 0L), (jobs.Enqueued, jobs.Scheduled));
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

        var list = await client.GetBodyAsync<ContactPageBody>("/api/contacts?stage=relationship&pageSize=200");
        Assert.True(list.Total > 0);
        var address = list.Items[0].Address;
        var history = (await client.GetBodyAsync<ContactBody>($"/api/contacts/{address}")).StageHistory!;
        // A relationship grew: its history starts lower and its last row is the relationship stage, at a month start.
        Assert.True(history.Count >= 2, $"history of {address}: {string.Join(", ", history)}");
        Assert.NotEqual("relationship", history[0].Stage);
        Assert.Contains(history, h => h.Stage == "relationship" && h.At.Day == 1);

        // A second scan changes nothing, so it records nothing.
        var rows = history.Count;
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/me/scan", null)).StatusCode);
        var firstFinish = (await registry.GetAsync("sample"))!.ScanFinishedAt;
        await factory.Scanner.WaitForAsync(() => registry.GetAsync("sample").Result?.ScanFinishedAt > firstFinish, TimeSpan.FromSeconds(90));
        Assert.Equal(rows, (await client.GetBodyAsync<ContactBody>($"/api/contacts/{address}")).StageHistory!.Count);
    }
}
