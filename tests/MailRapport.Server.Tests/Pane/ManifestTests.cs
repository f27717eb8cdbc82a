using System.Xml.Linq;
using MailRapport.Server.Pane;

namespace MailRapport.Server.Tests.Pane;

public sealed class ManifestTests
{
    private static readonly string LocalDeployment = Path.Combine(PaneTestEnvironment.ManifestFolder, "deployments", "local.json");
    private static readonly string CommittedLocal = Path.Combine(PaneTestEnvironment.ManifestFolder, "generated", "local");

    private static DeploymentSettings Local() => DeploymentSettings.Parse(File.ReadAllText(LocalDeployment), "local.json");

    private static async Task<string> WriteToTempAsync(DeploymentSettings settings)
    {
        var dir = Directory.CreateTempSubdirectory("mailrapport-manifest-").FullName;
        await ManifestWriter.WriteAsync(settings, dir);
        return dir;
    }

    [Fact]
    public async Task Committed_local_manifests_match_what_the_command_writes()
    {
        var dir = await WriteToTempAsync(Local());
        foreach (var name in new[] { ManifestWriter.XmlFileName, ManifestWriter.JsonFileName })
            Assert.True(File.ReadAllText(Path.Combine(CommittedLocal, name)) == File.ReadAllText(Path.Combine(dir, name)),
                $"manifest/generated/local/{name} is stale: run `mailrapport manifest --deployment manifest/deployments/local.json --out manifest/generated/local`.");
        foreach (var icon in ManifestWriter.UnifiedIcons)
            Assert.Equal(File.ReadAllBytes(Path.Combine(CommittedLocal, icon)), File.ReadAllBytes(Path.Combine(dir, icon)));
    }

    [Fact]
    public void App_package_holds_the_unified_manifest_and_its_icons_at_the_root()
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(CommittedLocal, ManifestWriter.PackageFileName));
        Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.Equal(File.ReadAllBytes(Path.Combine(CommittedLocal, entry.FullName)), copy.ToArray());
        }
    }

    [Fact]
    public async Task Manifest_command_writes_both_manifests_from_a_deployment_file()
    {
        var outDir = Path.Combine(Directory.CreateTempSubdirectory("mailrapport-cli-").FullName, "out");
        var exit = await Server.Cli.CliApp.RunAsync(["manifest", "--deployment", LocalDeployment, "--out", outDir]);
        Assert.Equal(0, exit);
        Assert.Contains("https://localhost:5081/pane/taskpane.html", File.ReadAllText(Path.Combine(outDir, "manifest.xml")));
        Assert.Contains("\"pinnable\": true", File.ReadAllText(Path.Combine(outDir, "manifest.json")));
    }

    [Fact]
    public void Xml_manifest_is_a_read_mail_app_with_a_pinnable_pane_and_the_api_registration()
    {
        var xml = ManifestWriter.Xml(Local());
        XNamespace app = "http://schemas.microsoft.com/office/appforoffice/1.1";
        XNamespace v10 = "http://schemas.microsoft.com/office/mailappversionoverrides";
        XNamespace v11 = "http://schemas.microsoft.com/office/mailappversionoverrides/1.1";
        Assert.Equal("ReadItem", xml.Root!.Element(app + "Permissions")!.Value);
        var outer = xml.Root.Element(v10 + "VersionOverrides")!;
        var inner = outer.Element(v11 + "VersionOverrides")!;
        Assert.Empty(outer.Descendants(v10 + "SupportsPinning"));
        Assert.Equal("true", inner.Descendants(v11 + "SupportsPinning").Single().Value);
        Assert.Equal("MessageReadCommandSurface", inner.Descendants(v11 + "ExtensionPoint").Single().Attribute(XName.Get("type", "http://www.w3.org/2001/XMLSchema-instance"))!.Value);
        Assert.Equal("access_as_user", inner.Element(v11 + "WebApplicationInfo")!.Descendants(v11 + "Scope").Single().Value);
        Assert.Equal("access_as_user", outer.Element(v10 + "WebApplicationInfo")!.Descendants(v10 + "Scope").Single().Value);
    }

    [NeedsAddinXsdFact]
    public async Task Xml_manifest_validates_against_microsofts_schemas()
    {
        var (exit, output) = await XmllintAsync(Path.Combine(CommittedLocal, ManifestWriter.XmlFileName));
        Assert.True(exit == 0, output);
        Assert.Contains("validates", output);

        var example = await WriteToTempAsync(DeploymentSettings.Parse(
            File.ReadAllText(Path.Combine(PaneTestEnvironment.ManifestFolder, "deployments", "contoso.example.json")), "contoso"));
        (exit, output) = await XmllintAsync(Path.Combine(example, ManifestWriter.XmlFileName));
        Assert.True(exit == 0, output);
    }

    [NeedsAddinXsdFact]
    public async Task Xmllint_check_is_live_pinning_in_the_1_0_overrides_is_rejected()
    {
        // Guards against a validation that passes everything (e.g. lax matching of the nested overrides).
        var text = File.ReadAllText(Path.Combine(CommittedLocal, ManifestWriter.XmlFileName));
        var first = text.IndexOf("<SourceLocation resid=\"Pane.Url\" />", StringComparison.Ordinal);
        var broken = text.Insert(first + "<SourceLocation resid=\"Pane.Url\" />".Length, "<SupportsPinning>true</SupportsPinning>");
        var file = Path.Combine(Directory.CreateTempSubdirectory("mailrapport-badxml-").FullName, "manifest.xml");
        File.WriteAllText(file, broken);
        var (exit, output) = await XmllintAsync(file);
        Assert.NotEqual(0, exit);
        Assert.Contains("SupportsPinning", output);
    }

    [NeedsManifestValidatorFact]
    public async Task Unified_manifest_passes_office_addin_manifest_validate()
    {
        var (exit, output) = await PaneTestEnvironment.RunAsync(PaneTestEnvironment.ManifestValidator, CommittedLocal, "validate", "manifest.json");
        Assert.True(exit == 0, output);

        var broken = Path.Combine(Directory.CreateTempSubdirectory("mailrapport-badjson-").FullName, "manifest.json");
        File.WriteAllText(broken, File.ReadAllText(Path.Combine(CommittedLocal, "manifest.json")).Replace("\"accentColor\"", "\"accentColour\""));
        (exit, output) = await PaneTestEnvironment.RunAsync(PaneTestEnvironment.ManifestValidator, CommittedLocal, "validate", broken);
        Assert.NotEqual(0, exit);
    }

    [Theory]
    [InlineData("serviceUrl", "\"http://localhost:5080\"", "https")]
    [InlineData("addinId", "\"not-a-guid\"", "not a valid deployment file")]
    [InlineData("accentColor", "\"blue\"", "AccentColor")]
    [InlineData("version", "\"1.0\"", "Version")]
    [InlineData("shortName", "\"" + "A name far too long for the ribbon button" + "\"", "ShortName")]
    public void Bad_deployment_settings_are_refused_with_a_clear_message(string key, string value, string expected)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(LocalDeployment))!.AsObject();
        json[key] = System.Text.Json.Nodes.JsonNode.Parse(value);
        var error = Assert.Throws<InvalidDataException>(() => DeploymentSettings.Parse(json.ToJsonString(), "bad.json"));
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("bad.json:", error.Message);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{\"deployment\":\"x\",\"typo\":1}")]
    public void Malformed_deployment_files_are_refused(string json)
    {
        Assert.Throws<InvalidDataException>(() => DeploymentSettings.Parse(json, "bad.json"));
    }

    private static async Task<(int, string)> XmllintAsync(string manifest)
    {
        // The XSDs import each other by relative path: validate from a private copy of the folder.
        var xsd = Directory.CreateTempSubdirectory("mailrapport-xsd-").FullName;
        foreach (var f in Directory.GetFiles(PaneTestEnvironment.XsdFolder, "*.xsd"))
            File.Copy(f, Path.Combine(xsd, Path.GetFileName(f)));
        return await PaneTestEnvironment.RunAsync("xmllint", xsd, "--noout", "--schema", "OfficeAppManifestV1_1.xsd", manifest);
    }
}
