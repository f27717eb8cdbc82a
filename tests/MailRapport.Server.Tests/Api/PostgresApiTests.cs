using System.Net;
using System.Text.Json;
using Dapper;
using MailRapport.Core;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using MailRapport.Server.Tests.Support;

namespace MailRapport.Server.Tests.Api;

/// <summary>The API and its Hangfire job storage on PostgreSQL, on a fresh database.</summary>
public sealed class PostgresApiTests : IAsyncLifetime
{
    private TestStore? db;
    private ServiceFactory? factory;

    public async Task InitializeAsync()
    {
        if (PostgresServer.ShouldSkip) return;
        db = await TestStore.PostgresAsync();
        factory = new ServiceFactory(entra: true);
        factory.Settings["Store:Provider"] = "Postgres";
        factory.Settings["Store:ConnectionString"] = db.Options.ConnectionString;
        factory.Settings["Scheduling:InstanceId"] = "api-test";
    }

    public async Task DisposeAsync()
    {
        factory?.Dispose();
        if (db is not null) await db.DisposeAsync();
    }

    [PostgresFact]
    public async Task Contacts_me_and_erase_work_on_postgres()
    {
        var alice = factory!.ClientFor(TestTokens.Alice);
        var bob = factory.ClientFor(TestTokens.Bob);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/me")).StatusCode);
        await Seed.MailboxAsync(factory.Store, TestTokens.Alice.MailboxId,
            Seed.Profile("carol@partner.com", Stage.Relationship, strength: 90), Seed.Profile("dave@partner.com", Stage.Contact, Nurture.Dormant, 10));
        await Seed.MailboxAsync(factory.Store, TestTokens.Bob.MailboxId, Seed.Profile("secret@bob-client.com"));

        using var page = JsonDocument.Parse(await alice.GetStringAsync("/api/contacts?stage=contact&nurture=dormant&sort=name"));
        Assert.Equal(1, page.RootElement.GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync("/api/contacts/secret@bob-client.com")).StatusCode);
        using var me = JsonDocument.Parse(await alice.GetStringAsync("/api/me"));
        Assert.Equal(1, me.RootElement.GetProperty("stages").GetProperty("relationship").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync("/api/me/data")).StatusCode);
        await using var connection = await factory.Store.OpenConnectionAsync();
        foreach (var table in await factory.Store.MailboxTablesAsync())
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE mailbox_id = @m", new { m = TestTokens.Alice.MailboxId }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM contact_profiles WHERE mailbox_id = @m", new { m = TestTokens.Bob.MailboxId }));
    }
}
