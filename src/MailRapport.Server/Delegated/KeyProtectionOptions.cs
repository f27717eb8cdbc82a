using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailRapport.Server.Delegated;

/// <summary>
/// The key-encryption certificate of the Data Protection key ring (docs/decisions/023), bound from "DataProtection".
/// The key ring sits in the database beside the refresh tokens it protects, so its keys are encrypted with this
/// certificate, which lives outside the database and is the same on every host. Required in delegated mode unless
/// <see cref="AllowUnencryptedKeysInDatabase"/> is set (local runs and tests only).
/// </summary>
public sealed class KeyProtectionOptions : IValidatableObject
{
    public const string Section = "DataProtection";

    /// <summary>A .pfx/.p12 file (password in <see cref="CertificatePassword"/>) or a .pem file with the certificate and its RSA private key.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Instead of a file: the thumbprint of a certificate with its private key in the CurrentUser or LocalMachine "My" store.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>
    /// Keeps the key ring unencrypted in the database: whoever reads the database can then decrypt every stored refresh
    /// token. For a local run or a test only; never in production.
    /// </summary>
    public bool AllowUnencryptedKeysInDatabase { get; set; }

    public bool HasCertificate => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(CertificateThumbprint);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? problem = null;
        if (!string.IsNullOrWhiteSpace(CertificatePath) && !string.IsNullOrWhiteSpace(CertificateThumbprint))
            problem = "DataProtection:CertificatePath and DataProtection:CertificateThumbprint are both set: set one.";
        else if (!HasCertificate && !AllowUnencryptedKeysInDatabase)
            problem = "DataProtection:CertificatePath (or DataProtection:CertificateThumbprint) is required with Graph:Mode = Delegated: "
                + "the keys that encrypt users' refresh tokens are stored in the database and must be encrypted with a certificate kept outside it "
                + "(docs/graph.md; a local run may set DataProtection:AllowUnencryptedKeysInDatabase = true instead).";
        else if (HasCertificate)
        {
            try { LoadCertificate()?.Dispose(); }
            catch (KeyProtectionException e) { problem = e.Message; }
        }
        if (problem is not null) yield return new ValidationResult(problem, [nameof(CertificatePath)]);
    }

    /// <summary>The configured certificate with its private key; null when none is configured.</summary>
    /// <exception cref="KeyProtectionException">It cannot be loaded or cannot encrypt keys (one line naming the setting).</exception>
    public X509Certificate2? LoadCertificate()
    {
        X509Certificate2 certificate;
        string setting;
        if (!string.IsNullOrWhiteSpace(CertificatePath))
        {
            setting = $"DataProtection:CertificatePath '{CertificatePath}'";
            if (!File.Exists(CertificatePath)) throw new KeyProtectionException($"{setting} does not exist.");
            try
            {
                certificate = CertificatePath.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)
                    ? X509Certificate2.CreateFromPemFile(CertificatePath)
                    : X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword);
            }
            catch (CryptographicException e)
            {
                throw new KeyProtectionException($"{setting} cannot be read ({e.Message.TrimEnd('.')}): check the file and DataProtection:CertificatePassword.");
            }
        }
        else if (!string.IsNullOrWhiteSpace(CertificateThumbprint))
        {
            setting = $"DataProtection:CertificateThumbprint '{CertificateThumbprint}'";
            certificate = FromStore(CertificateThumbprint.Replace(" ", "", StringComparison.Ordinal))
                ?? throw new KeyProtectionException($"{setting} names no certificate in the CurrentUser or LocalMachine 'My' store.");
        }
        else return null;
        using var rsa = certificate.GetRSAPublicKey();
        string? unusable = rsa is null ? "has no RSA key (XML encryption of the key ring needs RSA)"
            : !certificate.HasPrivateKey ? "has no private key (deploy the .pfx, or the .pem with its key, not the certificate alone)"
            : null;
        if (unusable is null) return certificate;
        certificate.Dispose();
        throw new KeyProtectionException($"{setting} {unusable}.");
    }

    private static X509Certificate2? FromStore(string thumbprint)
    {
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            try
            {
                using var store = new X509Store(StoreName.My, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
                if (found.Count > 0) return found[0];
            }
            catch (CryptographicException) { } // no such store on this machine
        }
        return null;
    }
}

/// <summary>The key ring's certificate is missing, unreadable, or not the one its keys were encrypted with. The message is one line naming the setting.</summary>
public sealed class KeyProtectionException(string message, Exception? inner = null) : Exception(message, inner);
