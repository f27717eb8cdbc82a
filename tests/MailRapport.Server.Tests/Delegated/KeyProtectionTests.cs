using Dapper;
using MailRapport.Server.Delegated;
using MailRapport.Server.Graph;
using MailRapport.Server.Hosting;
using MailRapport.Server.Storage;
using MailRapport.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MailRapport.Server.Tests.Delegated;

/// <summary>
/// The Data Protection key ring that encrypts users' refresh tokens is itself encrypted in the database with a
/// certificate kept outside it (docs/decisions/023): required in delegated mode, the same on every host, checked at start.
/// </summary>
public sealed class KeyProtectionTests : IDisposable
{
    private const string Purpose = "MailRapport.MailboxGrants.TokenCache.v1";
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("mr-keyring-");

    public void Dispose() => dir.Delete(recursive: true);

    public static TheoryData<string, string?> StartSettings => new()
    {
        { "none", "DataProtection:CertificatePath (or DataProtection:CertificateThumbprint) is required with Graph:Mode = Delegated" },
        { "missing file", "does not exist" },
        { "wrong password", "cannot be read" },
        { "certificate without its private key", "has no private key" },
        { "unknown thumbprint", "names no certificate in the CurrentUser or LocalMachine 'My' store" },
        { "path and thumbprint", "are both set: set one" },
        { "explicitly unencrypted", null },
        { "certificate", null },
    };

    [Theory]
    [MemberData(nameof(StartSettings))]
    public void Delegated_mode_refuses_to_start_without_a_usable_certificate_unless_told_to(string setup, string? expected)
    {
        var settings = setup switch
        {
            "none" => [],
            "missing file" => Certificate(Path.Combine(dir.FullName, "nowhere.pfx")),
            "wrong password" => Certificate(TestCertificates.WritePfx(dir.FullName, "a", "another password")),
            "certificate without its private key" => Certificate(TestCertificates.WritePublicOnlyPfx(dir.FullName, "public")),
            "unknown thumbprint" => new() { ["DataProtection:CertificateThumbprint"] = "00112233445566778899AABBCCDDEEFF00112233" },
            "path and thumbprint" => new(Certificate(TestCertificates.WritePfx(dir.FullName, "b")))
                { ["DataProtection:CertificateThumbprint"] = "00112233445566778899AABBCCDDEEFF00112233" },
            "explicitly unencrypted" => Unencrypted,
            _ => Certificate(TestCertificates.WritePfx(dir.FullName, "c")),
        };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddDelegatedGraph(builder.Configuration);
        using var host = builder.Build();
        var problem = host.ConfigurationProblem();
        if (expected is null)
        {
            Assert.Null(problem);
            return;
        }
        Assert.NotNull(problem);
        Assert.DoesNotContain('\n', problem);
        Assert.StartsWith("Configuration is not valid: DataProtection:", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [PostgresTheory]
    [MemberData(nameof(GrantStoreTests.Providers), MemberType = typeof(GrantStoreTests))]
    public async Task Stored_keys_are_encrypted_with_the_certificate_and_another_host_with_it_decrypts(StoreProvider provider)
    {
        await using var t = await TestStore.CreateAsync(provider);
        var pfx = TestCertificates.WritePfx(dir.FullName, "shared");
        string protectedCache;
        using (var first = KeyRingHost(t.Store, Certificate(pfx)))
            protectedCache = first.GetDataProtector(Purpose).Protect("the MSAL cache with a refresh token");

        var xml = Assert.Single(await KeyXmlAsync(t.Store));
        Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal); // no key in clear ...
        Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal); // ... but its certificate-encrypted form
        Assert.Contains("EncryptedKey", xml, StringComparison.Ordinal);
        Assert.Contains(Convert.ToBase64String(System.Security.Cryptography.X509Certificates.X509CertificateLoader
            .LoadPkcs12FromFile(pfx, TestCertificates.Password).RawData), xml, StringComparison.Ordinal);

        using var second = KeyRingHost(t.Store, Certificate(pfx)); // nothing shared in memory: the database and the certificate file
        Assert.Equal("the MSAL cache with a refresh token", second.GetDataProtector(Purpose).Unprotect(protectedCache));
        Assert.Single(await KeyXmlAsync(t.Store)); // read with the stored key, no new one made
    }

    [Fact]
    public async Task A_host_without_or_with_another_certificate_stops_with_one_line_naming_the_setting()
    {
        await using var t = await TestStore.SqliteAsync();
        var pfx = TestCertificates.WritePfx(dir.FullName, "right");
        string protectedCache;
        using (var first = KeyRingHost(t.Store, Certificate(pfx)))
            protectedCache = first.GetDataProtector(Purpose).Protect("cache");

        foreach (var (settings, expected) in new[]
        {
            (Unencrypted, "but this host has no DataProtection:CertificatePath (or DataProtection:CertificateThumbprint)"),
            (Certificate(TestCertificates.WritePfx(dir.FullName, "wrong")), "not with this host's DataProtection:CertificatePath / CertificateThumbprint"),
        })
        {
            using var other = KeyRingHost(t.Store, settings);
            var startCheck = other.GetServices<IHostedService>().Single(s => s.GetType().Name == "KeyRingStartupCheck");
            var atStart = await Assert.ThrowsAsync<KeyProtectionException>(() => startCheck.StartAsync(CancellationToken.None));
            Assert.Contains(expected, atStart.Message, StringComparison.Ordinal);
            Assert.Contains(TestCertificates.Thumbprint(pfx), atStart.Message, StringComparison.Ordinal); // which certificate it needs
            Assert.DoesNotContain('\n', atStart.Message);
            // Reading a grant on such a host fails with the same line, and no new key is made behind the operator's back.
            var whenUsed = Assert.ThrowsAny<Exception>(() => other.GetDataProtector(Purpose).Unprotect(protectedCache));
            Assert.Contains(expected, Chain(whenUsed), StringComparison.Ordinal);
        }
        Assert.Single(await KeyXmlAsync(t.Store));
    }

    [Fact]
    public async Task Keys_stored_unencrypted_before_a_certificate_was_set_still_decrypt_and_are_encrypted_in_place()
    {
        await using var t = await TestStore.SqliteAsync();
        string protectedCache;
        using (var before = KeyRingHost(t.Store, Unencrypted))
            protectedCache = before.GetDataProtector(Purpose).Protect("cache written before");
        Assert.Contains("masterKey", Assert.Single(await KeyXmlAsync(t.Store)), StringComparison.Ordinal);

        var pfx = TestCertificates.WritePfx(dir.FullName, "later");
        using (var after = KeyRingHost(t.Store, Certificate(pfx)))
            Assert.Equal("cache written before", after.GetDataProtector(Purpose).Unprotect(protectedCache));
        var xml = Assert.Single(await KeyXmlAsync(t.Store));
        Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
        Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
        using var fresh = KeyRingHost(t.Store, Certificate(pfx)); // the rewritten key, read back by a new host
        Assert.Equal("cache written before", fresh.GetDataProtector(Purpose).Unprotect(protectedCache));
    }

    private static Dictionary<string, string?> Unencrypted => new() { ["DataProtection:AllowUnencryptedKeysInDatabase"] = "true" };

    private static Dictionary<string, string?> Certificate(string path) => new()
    {
        ["DataProtection:CertificatePath"] = path,
        ["DataProtection:CertificatePassword"] = TestCertificates.Password,
    };

    /// <summary>Just what Data Protection needs from delegated mode's registrations, over the given database.</summary>
    private static ServiceProvider KeyRingHost(MailStore store, Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton<MailboxGrants>();
        services.AddOptions<GraphOptions>();
        services.AddDelegatedGraph(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    private static async Task<List<string>> KeyXmlAsync(MailStore store)
    {
        await using var connection = await store.OpenConnectionAsync();
        return (await connection.QueryAsync<string>("SELECT xml FROM data_protection_keys")).ToList();
    }

    private static string Chain(Exception e) => e.InnerException is { } inner ? e.Message + " | " + Chain(inner) : e.Message;
}
