using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Dapper;
using MailRapport.Server.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace MailRapport.Server.Delegated;

/// <summary>The certificate that encrypts the key ring (<see cref="KeyProtectionOptions"/>), loaded once at registration; null when keys stay unencrypted.</summary>
public sealed record KeyEncryptionCertificate(X509Certificate2? Certificate);

/// <summary>
/// The Data Protection key ring in the database, so every host that shares the database can read what another
/// encrypted (grants written by the API host are read by the host that scans). Owns <c>data_protection_keys</c>.
/// Each key's secret is encrypted with the certificate of <see cref="KeyProtectionOptions"/> (Data Protection does that
/// before <see cref="StoreElement"/>), so the database alone decrypts no token. Reading checks that every encrypted key
/// was encrypted with this host's certificate (one line naming the setting otherwise, instead of Data Protection
/// quietly making a new key and failing on every stored grant), and encrypts keys stored before a certificate was set.
/// </summary>
public sealed class DataProtectionKeys(MailStore store, TimeProvider clock, KeyEncryptionCertificate keyEncryption, ILoggerFactory loggers)
    : IXmlRepository
{
    private static readonly XNamespace DataProtection = "http://schemas.asp.net/2015/03/dataProtection";
    private static readonly XNamespace XmlDsig = "http://www.w3.org/2000/09/xmldsig#";
    private readonly ILogger log = loggers.CreateLogger<DataProtectionKeys>();

    // IXmlRepository is synchronous by contract; Data Protection calls it rarely (start-up, key refresh, key creation).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = store.OpenConnectionAsync().AsTask().GetAwaiter().GetResult();
        var rows = connection.Query<(string FriendlyName, string Xml)>(
            "SELECT friendly_name, xml FROM data_protection_keys ORDER BY created_at, friendly_name").AsList();
        var elements = new List<XElement>(rows.Count);
        foreach (var (friendlyName, xml) in rows)
        {
            var element = XElement.Parse(xml);
            CheckEncryption(element);
            if (EncryptIfNeeded(element) is { } encrypted)
            {
                // A key written before the certificate was configured: its secret is encrypted in place, once.
                connection.Execute("UPDATE data_protection_keys SET xml = @xml WHERE friendly_name = @friendlyName",
                    new { friendlyName, xml = encrypted.ToString(SaveOptions.DisableFormatting) });
                log.LogWarning("Data Protection key {Key} was stored unencrypted; it is now encrypted with the DataProtection certificate", friendlyName);
                element = encrypted;
            }
            elements.Add(element);
        }
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        element = EncryptIfNeeded(element) ?? element; // Data Protection encrypted it already when a certificate is set; never store a secret in clear then
        using var connection = store.OpenConnectionAsync().AsTask().GetAwaiter().GetResult();
        connection.Execute("""
            INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@friendlyName, @xml, @now)
            ON CONFLICT (friendly_name) DO NOTHING
            """, new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), now = clock.GetUtcNow().ToUnixTimeMilliseconds() });
    }

    /// <summary>Reads the key ring once, so a host with a missing or wrong certificate stops at start (<see cref="KeyRingStartupCheck"/>).</summary>
    public void Check() => GetAllElements();

    /// <summary>An encrypted key this host cannot decrypt: the one line that says which certificate it needs.</summary>
    private void CheckEncryption(XElement element)
    {
        if (!element.Descendants(DataProtection + "encryptedSecret").Any()) return;
        var usedThumbprints = element.Descendants(XmlDsig + "X509Certificate").Select(Thumbprint).OfType<string>().Distinct().ToList();
        if (usedThumbprints.Count == 0) return; // not certificate-encrypted (another tool's key): Data Protection says what it needs
        var key = element.Attribute("id")?.Value ?? "?";
        var used = string.Join(", ", usedThumbprints);
        if (keyEncryption.Certificate is not { } certificate)
            throw new KeyProtectionException($"Data Protection key {key} in the database is encrypted with certificate {used}, but this host has no "
                + "DataProtection:CertificatePath (or DataProtection:CertificateThumbprint): set it to that certificate, the same on every host.");
        if (!usedThumbprints.Contains(certificate.Thumbprint, StringComparer.OrdinalIgnoreCase))
            throw new KeyProtectionException($"Data Protection key {key} in the database is encrypted with certificate {used}, not with this host's "
                + $"DataProtection:CertificatePath / CertificateThumbprint ({certificate.Thumbprint}): every host must use the same certificate.");
    }

    private static string? Thumbprint(XElement x509)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(x509.Value.Trim()));
            return certificate.Thumbprint;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// The element with every part Data Protection marks requiresEncryption="true" (a key's masterKey) replaced by its
    /// certificate-encrypted form, as Data Protection itself writes it; null when nothing needs encrypting or no certificate is set.
    /// </summary>
    private XElement? EncryptIfNeeded(XElement element)
    {
        if (keyEncryption.Certificate is not { } certificate || !element.DescendantsAndSelf().Any(RequiresEncryption)) return null;
        var encryptor = new CertificateXmlEncryptor(certificate, loggers);
        var copy = new XElement(element);
        while (copy.DescendantsAndSelf().FirstOrDefault(RequiresEncryption) is { } secret)
        {
            var encrypted = encryptor.Encrypt(secret);
            secret.ReplaceWith(new XElement(DataProtection + "encryptedSecret",
                new XAttribute("decryptorType", encrypted.DecryptorType.AssemblyQualifiedName!), encrypted.EncryptedElement));
        }
        return copy;
    }

    private static bool RequiresEncryption(XElement element) =>
        (bool?)element.Attribute(DataProtection + "requiresEncryption") == true;
}

/// <summary>Reads the key ring at start: a host whose certificate does not match the stored keys stops with one line naming the setting.</summary>
internal sealed class KeyRingStartupCheck(DataProtectionKeys keys) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        keys.Check();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
