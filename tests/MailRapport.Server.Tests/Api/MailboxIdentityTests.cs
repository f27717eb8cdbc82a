using System.Net;
using System.Text.Json;
using MailRapport.Core;
using MailRapport.FakeGraph;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Api;

/// <summary>
/// A caller's mailbox is the directory user (tid, oid) of the scanned tenant; names in the token never grant one.
/// Admin-configured mailboxes are bound through the directory (Graph GET /users/{upn}?$select=id on the fake server).
/// </summary>
public sealed class MailboxIdentityTests : IAsyncLifetime
{
    private const string CarolsMailbox = "carol@contoso.com";
    private readonly ServiceFactory factory = new(entra: true);
    private FakeGraphServer graph = null!;

    public async Task InitializeAsync()
    {
        graph = await FakeGraphServer.StartAsync(new FakeMailbox(CarolsMailbox));
        graph.AddUser(TestTokens.Carol.ObjectId, CarolsMailbox);
        graph.AddUser(TestTokens.Alice.ObjectId, TestTokens.Alice.Upn);
        factory.Settings["Graph:BaseUrl"] = graph.BaseUrl;
        factory.Settings["Scheduling:Mailboxes:0"] = "Carol@Contoso.com";
    }

    public async Task DisposeAsync()
    {
        factory.Dispose();
        await graph.DisposeAsync();
    }

    private MailboxRegistry Registry => factory.Services.GetRequiredService<MailboxRegistry>();

    private HttpClient ClientWithToken(TestTokens.User user)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", factory.Tokens.Mint(user));
        return client;
    }

    private async Task CarolsMailboxHasDataAsync()
    {
        _ = factory.Server;
        await factory.Scanner.WaitForAsync(() => factory.Scanner.CountFor(CarolsMailbox) == 1); // the configured mailbox's first scan
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync(CarolsMailbox).Result is { ScanRunning: false, ScanFinishedAt: not null });
        await Seed.MailboxAsync(factory.Store, CarolsMailbox, Seed.Profile("partner@northwind.example", Stage.Relationship));
    }

    [Fact]
    public async Task A_tenant_B_token_naming_a_configured_tenant_A_mailbox_is_refused_and_the_owner_is_unaffected()
    {
        await CarolsMailboxHasDataAsync();
        var before = await Registry.GetAsync(CarolsMailbox);
        var attacker = ClientWithToken(TestTokens.Mallory with { Upn = CarolsMailbox });

        foreach (var response in new[]
                 {
                     await attacker.GetAsync("/api/contacts"),
                     await attacker.GetAsync("/api/contacts/partner@northwind.example"),
                     await attacker.GetAsync("/api/me"),
                     await attacker.PostAsync("/api/me/scan", null),
                     await attacker.DeleteAsync("/api/me/data"),
                 })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.ReadAsync<ProblemBody>();
            Assert.Equal(403, problem.Status);
            Assert.DoesNotContain("partner@northwind.example", problem.Detail ?? ""); // and nothing else in the body names it:
            Assert.DoesNotContain("partner@northwind.example", await response.Content.ReadAsStringAsync());
        }

        // No scan asked for, nothing erased, nothing registered for the attacker.
        var after = await Registry.GetAsync(CarolsMailbox);
        Assert.Equal(before!.ScanRequestedAt, after!.ScanRequestedAt);
        Assert.NotNull(await factory.Store.GetProfileAsync(CarolsMailbox, "partner@northwind.example"));
        Assert.Equal([CarolsMailbox], (await Registry.ListAsync()).Select(m => m.MailboxId));

        // The real Carol (tenant A, her object id) gets her mailbox: the directory says it is hers.
        var carol = factory.ClientFor(TestTokens.Carol);
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync("/api/contacts/partner@northwind.example")).StatusCode);
        using var me = JsonDocument.Parse(await carol.GetStringAsync("/api/me"));
        Assert.Equal(CarolsMailbox, me.RootElement.GetProperty("mailbox").GetString());
        var bound = await Registry.GetAsync(CarolsMailbox);
        Assert.Equal((TestTokens.TenantA, TestTokens.Carol.ObjectId), (bound!.TenantId, bound.ObjectId));
    }

    [Fact]
    public async Task A_tenant_B_token_naming_an_address_not_yet_enrolled_is_refused_and_starts_no_scan()
    {
        await CarolsMailboxHasDataAsync();
        var attacker = ClientWithToken(TestTokens.Mallory with { Upn = "dave@contoso.com" });

        Assert.Equal(HttpStatusCode.Forbidden, (await attacker.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await attacker.PostAsync("/api/me/scan", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ClientWithToken(TestTokens.Mallory).GetAsync("/api/contacts")).StatusCode);

        Assert.Equal([CarolsMailbox], (await Registry.ListAsync()).Select(m => m.MailboxId));
        Assert.DoesNotContain(factory.Scanner.Calls, c => c != CarolsMailbox);
    }

    [Fact]
    public async Task A_tenant_A_token_carrying_a_configured_address_but_another_oid_does_not_get_that_mailbox()
    {
        await CarolsMailboxHasDataAsync();
        var namesake = ClientWithToken(TestTokens.Alice with { Upn = CarolsMailbox });
        // Erasing before having a mailbox erases nothing and enrols nothing.
        Assert.Equal(HttpStatusCode.NoContent, (await namesake.DeleteAsync("/api/me/data")).StatusCode);
        Assert.Null(await Registry.GetAsync(TestTokens.Alice.MailboxId));
        Assert.NotNull(await factory.Store.GetProfileAsync(CarolsMailbox, "partner@northwind.example"));

        Assert.Equal(HttpStatusCode.NotFound, (await namesake.GetAsync("/api/contacts/partner@northwind.example")).StatusCode);
        using var me = JsonDocument.Parse(await namesake.GetStringAsync("/api/me"));
        Assert.Equal(TestTokens.Alice.MailboxId, me.RootElement.GetProperty("mailbox").GetString());
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync(TestTokens.Alice.MailboxId).Result?.ScanFinishedAt is not null); // her own first scan
        Assert.Equal(HttpStatusCode.NoContent, (await namesake.DeleteAsync("/api/me/data")).StatusCode);
        Assert.NotNull(await factory.Store.GetProfileAsync(CarolsMailbox, "partner@northwind.example"));
        Assert.Equal(TestTokens.Carol.ObjectId, (await Registry.GetAsync(CarolsMailbox))!.ObjectId);
    }

    [Fact]
    public async Task A_renamed_user_keeps_their_mailbox()
    {
        await CarolsMailboxHasDataAsync();
        // Bound at start through the directory, before Carol ever signs in.
        await factory.Scanner.WaitForAsync(() => Registry.GetAsync(CarolsMailbox).Result?.ObjectId == TestTokens.Carol.ObjectId);
        // Then she is renamed: new preferred_username, same object id.
        graph.AddUser(TestTokens.Carol.ObjectId, "carol.smith@contoso.com");
        var renamed = factory.ClientFor(TestTokens.Carol with { Upn = "carol.smith@contoso.com" });
        Assert.Equal(HttpStatusCode.OK, (await renamed.GetAsync("/api/contacts/partner@northwind.example")).StatusCode);

        // A user who enrolled themselves keeps their mailbox across a rename too.
        var bob = factory.ClientFor(TestTokens.Bob);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/me")).StatusCode);
        await Seed.MailboxAsync(factory.Store, TestTokens.Bob.MailboxId, Seed.Profile("client@fabrikam.example"));
        var bobRenamed = factory.ClientFor(TestTokens.Bob with { Upn = "robert@contoso.com" });
        Assert.Equal(HttpStatusCode.OK, (await bobRenamed.GetAsync("/api/contacts/client@fabrikam.example")).StatusCode);
    }

    [Fact]
    public async Task While_the_directory_cannot_answer_a_new_user_is_told_to_retry_not_enrolled()
    {
        factory.Settings["Graph:MaxRetries"] = "0";
        graph.SetRandomFaults(1.0, 1, FaultKind.Unavailable); // every directory lookup fails
        await CarolsMailboxHasDataAsync();
        var carol = factory.ClientFor(TestTokens.Carol);

        var response = await carol.GetAsync("/api/contacts/partner@northwind.example");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([CarolsMailbox], (await Registry.ListAsync()).Select(m => m.MailboxId)); // no mailbox made up for her

        graph.ClearFaults();
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync("/api/contacts/partner@northwind.example")).StatusCode);
    }
}

public sealed class ScannedTenantSettingsTests
{
    [Theory]
    [InlineData(null, "Graph:TenantId must be the directory (tenant) id")]
    [InlineData("contoso.onmicrosoft.com", "Graph:TenantId must be the directory (tenant) id")]
    [InlineData(TestTokens.UnlistedTenant, "is not on Entra:AllowedTenants")]
    public async Task Entra_mode_needs_the_scanned_tenant_id_on_the_allow_list(string? tenant, string message)
    {
        // The real service: a setting that is not valid stops it at start with one line (exit code 1).
        var dir = Directory.CreateTempSubdirectory("mr-tenant-");
        try
        {
            string[] args = ["serve", "--Service:Mode=Entra", $"--Entra:ClientId={TestTokens.ClientId}", $"--Entra:AllowedTenants:0={TestTokens.TenantA}",
                $"--Entra:AllowedTenants:1={TestTokens.TenantB}", "--Graph:BaseUrl=http://127.0.0.1:9/v1.0", $"--Store:Path={Path.Combine(dir.FullName, "t.db")}"];
            var result = await Infrastructure.CliRunner.RunAsync(dir.FullName, tenant is null ? args : [.. args, $"--Graph:TenantId={tenant}"]);
            Assert.Equal(1, result.ExitCode);
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains(message, line, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
