using System.Net;
using System.Text.Json;
using Dapper;
using MailRapport.Core;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Support;
using MailRapport.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MailRapport.Server.Tests.Api;

public sealed class ContactsApiTests : IDisposable
{
    private readonly ServiceFactory factory = new(entra: true);
    public void Dispose() => factory.Dispose();

    private async Task<(HttpClient Alice, HttpClient Bob)> TwoUsersWithDataAsync()
    {
        var alice = factory.ClientFor(TestTokens.Alice);
        var bob = factory.ClientFor(TestTokens.Bob);
        // First calls enrol both mailboxes; then their data is stored directly.
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/me")).StatusCode);
        // Enrolment queues each mailbox's first scan: let both end before the data goes in, so neither writes stage
        // history from it behind a test's back (seen once under load: a backfilled row before the one a test records).
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        await factory.Scanner.WaitForAsync(() => registry.GetAsync(TestTokens.Alice.MailboxId).Result?.ScanFinishedAt is not null
                                                 && registry.GetAsync(TestTokens.Bob.MailboxId).Result?.ScanFinishedAt is not null);
        await Seed.MailboxAsync(factory.Store, TestTokens.Alice.MailboxId,
            Seed.Profile("carol@partner.com", Stage.Relationship, strength: 90), Seed.Profile("dave@partner.com", Stage.Contact, Nurture.Dormant, 10));
        await Seed.MailboxAsync(factory.Store, TestTokens.Bob.MailboxId,
            Seed.Profile("secret@bob-client.com", Stage.Relationship), Seed.Profile("carol@partner.com", Stage.Contact, strength: 5));
        return (alice, bob);
    }

    [Fact]
    public async Task A_token_for_one_mailbox_never_returns_another_mailboxs_data()
    {
        var (alice, bob) = await TwoUsersWithDataAsync();

        var notHers = await alice.GetAsync("/api/contacts/secret@bob-client.com");
        Assert.Equal(HttpStatusCode.NotFound, notHers.StatusCode);
        Assert.Equal(404, (await notHers.ReadAsync<ProblemBody>()).Status);
        string[] hersOnly = ["carol@partner.com", "dave@partner.com"];
        Assert.Equal(hersOnly, (await alice.GetBodyAsync<ContactPageBody>("/api/contacts?pageSize=200&sort=address")).Items.Select(c => c.Address));

        // The same contact in both mailboxes: each sees their own profile of it.
        var hers = await alice.GetBodyAsync<ContactBody>("/api/contacts/carol@partner.com");
        var his = await bob.GetBodyAsync<ContactBody>("/api/contacts/carol@partner.com");
        Assert.Equal(("carol@partner.com", "relationship"), (hers.Address, hers.Stage));
        Assert.Equal(("carol@partner.com", "contact"), (his.Address, his.Stage));

        // Nothing in the request can name another mailbox.
        var sneaky = await alice.GetBodyAsync<ContactPageBody>($"/api/contacts?sort=address&mailbox={TestTokens.Bob.MailboxId}&mailboxId={TestTokens.Bob.MailboxId}");
        Assert.Equal(hersOnly, sneaky.Items.Select(c => c.Address));
        var me = await alice.GetBodyAsync<MeBody>($"/api/me?mailbox={TestTokens.Bob.MailboxId}");
        Assert.Equal(TestTokens.Alice.MailboxId, me.Mailbox);
    }

    [Fact]
    public async Task A_token_carrying_another_users_name_gets_its_own_empty_mailbox_not_theirs()
    {
        await TwoUsersWithDataAsync();
        // Another account of the same tenant (other oid) whose token carries Alice's address.
        var impostor = factory.CreateClient();
        var impostorId = "99999999-0000-0000-0000-000000000009";
        impostor.DefaultRequestHeaders.Authorization = new("Bearer", factory.Tokens.Mint(TestTokens.Alice with { ObjectId = impostorId }));
        Assert.Equal(HttpStatusCode.NotFound, (await impostor.GetAsync("/api/contacts/carol@partner.com")).StatusCode);
        Assert.Equal(impostorId, (await impostor.GetBodyAsync<MeBody>("/api/me")).Mailbox);
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        await factory.Scanner.WaitForAsync(() => registry.GetAsync(impostorId).Result?.ScanFinishedAt is not null); // its own first scan
        Assert.Equal(HttpStatusCode.NoContent, (await impostor.DeleteAsync("/api/me/data")).StatusCode);
        Assert.NotNull(await factory.Store.GetProfileAsync(TestTokens.Alice.MailboxId, "carol@partner.com"));
    }

    [Fact]
    public async Task Contact_has_its_timeline_and_stage_history_and_unknown_is_404_problem()
    {
        var (alice, _) = await TwoUsersWithDataAsync();
        await factory.Services.GetRequiredService<StageHistory>().RecordChangesAsync(TestTokens.Alice.MailboxId);

        var contact = await alice.GetBodyAsync<ContactBody>("/api/contacts/Carol@Partner.com");
        Assert.Equal("carol@partner.com", contact.Address);
        Assert.Equal([new MonthBody(2026, 10)], contact.Timeline);
        var change = Assert.Single(contact.StageHistory!);
        Assert.Equal("relationship", change.Stage);

        var missing = await alice.GetAsync("/api/contacts/never@seen.com");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        var problem = await missing.ReadAsync<ProblemBody>();
        Assert.Equal((404, "Contact not found"), (problem.Status, problem.Title));
        Assert.Contains("never@seen.com", problem.Detail);

        var notAnAddress = await alice.GetAsync("/api/contacts/not-an-address");
        Assert.Equal(HttpStatusCode.BadRequest, notAnAddress.StatusCode);
        var refused = await notAnAddress.ReadAsync<ProblemBody>();
        Assert.Equal((400, "Not a mail address"), (refused.Status, refused.Title));
    }

    [Fact]
    public async Task List_filters_sorts_and_pages()
    {
        var (alice, _) = await TwoUsersWithDataAsync();
        var all = await alice.GetBodyAsync<ContactPageBody>("/api/contacts");
        Assert.Equal(2, all.Total);
        Assert.Equal(["carol@partner.com", "dave@partner.com"], all.Items.Select(c => c.Address)); // strongest first

        var dormant = await alice.GetBodyAsync<ContactPageBody>("/api/contacts?stage=contact&nurture=Dormant");
        Assert.Equal(1, dormant.Total);
        Assert.Equal(("dave@partner.com", "contact", "dormant"), (dormant.Items[0].Address, dormant.Items[0].Stage, dormant.Items[0].Nurture));

        var page2 = await alice.GetBodyAsync<ContactPageBody>("/api/contacts?sort=address&page=2&pageSize=1");
        Assert.Equal((2, 1, 2L), (page2.Page, page2.PageSize, page2.Total));
        Assert.Equal("dave@partner.com", Assert.Single(page2.Items).Address);
    }

    [Theory]
    [InlineData("stage=friend")]
    [InlineData("stage=1")]
    [InlineData("stage=contact,rapport")]
    [InlineData("nurture=active,dormant")]
    [InlineData("nurture=hot")]
    [InlineData("sort=strength;DROP TABLE messages")]
    [InlineData("page=0")]
    [InlineData("page=-1")]
    [InlineData("page=abc")]
    [InlineData("pageSize=100000")]
    [InlineData("page=99999999999999999999")]
    public async Task Bad_query_values_get_400_problem(string query)
    {
        var alice = factory.ClientFor(TestTokens.Alice);
        var response = await alice.GetAsync("/api/contacts?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, (await response.ReadAsync<ProblemBody>()).Status);
    }

    [Fact]
    public async Task A_repeated_answer_follows_the_stored_profile_and_its_history()
    {
        var (alice, _) = await TwoUsersWithDataAsync();
        var first = await alice.GetBodyAsync<ContactBody>("/api/contacts/carol@partner.com");
        var again = await alice.GetBodyAsync<ContactBody>("/api/contacts/carol@partner.com");
        Assert.Equal(("relationship", "active"), (first.Stage, first.Nurture));
        Assert.Equal(first.Stage, again.Stage);

        // A recompute replaces the document: the next answer is the new one, not the one mapped before.
        await factory.Store.SaveProfilesAsync(TestTokens.Alice.MailboxId, [Seed.Profile("carol@partner.com", Stage.Rapport, Nurture.Cooling, 40)]);
        var changed = await alice.GetBodyAsync<ContactBody>("/api/contacts/carol@partner.com");
        Assert.Equal(("rapport", "cooling"), (changed.Stage, changed.Nurture));

        // A new history row with the same document changes the answer too.
        await factory.Services.GetRequiredService<StageHistory>().RecordChangesAsync(TestTokens.Alice.MailboxId);
        var withHistory = await alice.GetBodyAsync<ContactBody>("/api/contacts/carol@partner.com");
        Assert.Equal("rapport", Assert.Single(withHistory.StageHistory!).Stage);

        // Erased: no answer survives the rows it was made from.
        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync("/api/me/data")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync("/api/contacts/carol@partner.com")).StatusCode);
    }

    [Fact]
    public async Task Delete_erases_every_row_of_the_callers_mailbox_and_its_jobs_only()
    {
        var (alice, bob) = await TwoUsersWithDataAsync();
        await factory.Services.GetRequiredService<StageHistory>().RecordChangesAsync(TestTokens.Alice.MailboxId);
        await factory.Store.Profiles().SetAutomatedOverrideAsync(TestTokens.Alice.MailboxId, "news@list.com", true);
        var registry = factory.Services.GetRequiredService<MailboxRegistry>();
        Assert.NotNull(await registry.GetAsync(TestTokens.Alice.MailboxId));

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync("/api/me/data")).StatusCode);

        await using var connection = await factory.Store.OpenConnectionAsync();
        foreach (var table in await factory.Store.MailboxTablesAsync())
        {
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE mailbox_id = @m", new { m = TestTokens.Alice.MailboxId }));
        }
        Assert.Null(await registry.GetAsync(TestTokens.Alice.MailboxId)); // the nightly run no longer queues it
        // Bob's data and schedule are untouched.
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM contact_profiles WHERE mailbox_id = @m", new { m = TestTokens.Bob.MailboxId }));
        Assert.NotNull(await registry.GetAsync(TestTokens.Bob.MailboxId));
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/contacts/secret@bob-client.com")).StatusCode);
    }
}

public sealed class HealthTests : IDisposable
{
    private readonly ServiceFactory factory = new(entra: false);
    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task Ready_reports_database_and_scheduler()
    {
        var response = await factory.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", doc.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", doc.RootElement.GetProperty("checks").GetProperty("scheduler").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_fails_when_the_scheduler_is_stopped()
    {
        var client = factory.CreateClient();
        // A server whose heartbeat lapsed is removed from the job storage by the others (Hangfire's watchdog): do that to this one.
        var storage = factory.Services.GetRequiredService<Hangfire.JobStorage>();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        using (var connection = storage.GetConnection())
            connection.RemoveServer(Assert.Single(storage.GetMonitoringApi().Servers()).Name);
        var response = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}

public sealed class LocalModeTests : IDisposable
{
    private readonly ServiceFactory factory = new(entra: false);
    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task Local_mode_needs_no_token_but_refuses_foreign_host_names()
    {
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode);
        var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(rebound)).StatusCode);
    }
}
