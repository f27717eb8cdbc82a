using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailRapport.Server.Tests.Delegated;

/// <summary>Self-signed RSA certificates for the key ring's encryption, made in the test (never checked in).</summary>
internal static class TestCertificates
{
    public const string Password = "key-ring-test-password";

    /// <summary>A new certificate with its private key, as a password-protected .pfx in <paramref name="directory"/>; returns its path.</summary>
    public static string WritePfx(string directory, string name, string password = Password) =>
        Write(directory, name + ".pfx", certificate => certificate.Export(X509ContentType.Pfx, password));

    /// <summary>The certificate alone (no private key) as a .pfx: what an operator copying the wrong file deploys.</summary>
    public static string WritePublicOnlyPfx(string directory, string name) =>
        Write(directory, name + ".pfx", certificate =>
        {
            using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
            return publicOnly.Export(X509ContentType.Pfx, Password);
        });

    public static string Thumbprint(string pfxPath) =>
        X509CertificateLoader.LoadPkcs12FromFile(pfxPath, Password).Thumbprint;

    private static string Write(string directory, string fileName, Func<X509Certificate2, byte[]> export)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=MailRapport key ring (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        File.WriteAllBytes(path, export(certificate));
        return path;
    }
}
