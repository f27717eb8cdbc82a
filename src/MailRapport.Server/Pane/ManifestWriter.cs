using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace MailRapport.Server.Pane;

/// <summary>
/// Writes the two manifests of one deployment: the XML add-in-only manifest (classic Outlook, any Exchange)
/// and the unified JSON manifest (new Outlook, Outlook on the web, Microsoft 365 admin centre).
/// </summary>
public static class ManifestWriter
{
    public const string XmlFileName = "manifest.xml";
    public const string JsonFileName = "manifest.json";
    /// <summary>The unified manifest's app package: manifest.json and its icons at the root of a zip, ready to upload.</summary>
    public const string PackageFileName = "mailrapport-addin.zip";
    /// <summary>Icons the unified manifest names by relative path: they travel next to manifest.json (and in its zip).</summary>
    public static readonly string[] UnifiedIcons = ["color.png", "outline.png"];

    private static readonly XNamespace App = "http://schemas.microsoft.com/office/appforoffice/1.1";
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";
    private static readonly XNamespace Bt = "http://schemas.microsoft.com/office/officeappbasictypes/1.0";
    private static readonly XNamespace Mail10 = "http://schemas.microsoft.com/office/mailappversionoverrides";
    private static readonly XNamespace Mail11 = "http://schemas.microsoft.com/office/mailappversionoverrides/1.1";

    // Mailbox 1.5 brings ItemChanged for a pinned pane; NAA itself is detected at run time.
    private const string MailboxMinVersion = "1.5";

    public static async Task WriteAsync(DeploymentSettings settings, string outDir, CancellationToken ct = default)
    {
        Directory.CreateDirectory(outDir);
        var xml = Xml(settings);
        await File.WriteAllTextAsync(Path.Combine(outDir, XmlFileName), xml.Declaration + "\n" + xml + "\n", ct);
        await File.WriteAllTextAsync(Path.Combine(outDir, JsonFileName), Json(settings) + "\n", ct);
        foreach (var icon in UnifiedIcons)
        {
            await using var source = PaneEndpoints.OpenAsset("assets/" + icon)
                ?? throw new InvalidOperationException($"The pane's {icon} is missing from the build.");
            await using var target = File.Create(Path.Combine(outDir, icon));
            await source.CopyToAsync(target, ct);
        }
        await WritePackageAsync(outDir, ct);
    }

    private static async Task WritePackageAsync(string outDir, CancellationToken ct)
    {
        var path = Path.Combine(outDir, PackageFileName);
        File.Delete(path);
        await using var zip = await ZipFile.OpenAsync(path, ZipArchiveMode.Create, ct);
        foreach (var name in UnifiedIcons.Prepend(JsonFileName))
        {
            var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
            entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero); // same settings, same bytes
            await using var target = await entry.OpenAsync(ct);
            await using var source = File.OpenRead(Path.Combine(outDir, name));
            await source.CopyToAsync(target, ct);
        }
    }

    public static XDocument Xml(DeploymentSettings s)
    {
        var pane = s.PaneBase;
        XAttribute Type(string t) => new(Xsi + "type", t);
        XElement Default(string name, string value) => new(App + name, new XAttribute("DefaultValue", value));

        XElement MailHost(XNamespace ns, bool pinnable) =>
            new(ns + "Hosts",
                new XElement(ns + "Host", Type("MailHost"),
                    new XElement(ns + "DesktopFormFactor",
                        new XElement(ns + "ExtensionPoint", Type("MessageReadCommandSurface"),
                            new XElement(ns + "OfficeTab", new XAttribute("id", "TabDefault"),
                                new XElement(ns + "Group", new XAttribute("id", "msgReadGroup"),
                                    new XElement(ns + "Label", new XAttribute("resid", "Group.Label")),
                                    new XElement(ns + "Control", Type("Button"), new XAttribute("id", "msgReadOpenPaneButton"),
                                        new XElement(ns + "Label", new XAttribute("resid", "PaneButton.Label")),
                                        new XElement(ns + "Supertip",
                                            new XElement(ns + "Title", new XAttribute("resid", "PaneButton.Label")),
                                            new XElement(ns + "Description", new XAttribute("resid", "PaneButton.Tooltip"))),
                                        new XElement(ns + "Icon",
                                            new XElement(Bt + "Image", new XAttribute("size", "16"), new XAttribute("resid", "Icon.16")),
                                            new XElement(Bt + "Image", new XAttribute("size", "32"), new XAttribute("resid", "Icon.32")),
                                            new XElement(Bt + "Image", new XAttribute("size", "80"), new XAttribute("resid", "Icon.80"))),
                                        new XElement(ns + "Action", Type("ShowTaskpane"),
                                            new XElement(ns + "SourceLocation", new XAttribute("resid", "Pane.Url")),
                                            // Pinning is a VersionOverrides 1.1 feature: 1.0 rejects the element.
                                            pinnable ? new XElement(ns + "SupportsPinning", "true") : null))))))));

        XElement Resources(XNamespace ns) =>
            new(ns + "Resources",
                new XElement(Bt + "Images",
                    Image("Icon.16", pane + "assets/icon-16.png"),
                    Image("Icon.32", pane + "assets/icon-32.png"),
                    Image("Icon.80", pane + "assets/icon-80.png")),
                new XElement(Bt + "Urls", Url("Pane.Url", pane + "taskpane.html")),
                new XElement(Bt + "ShortStrings",
                    Str("Group.Label", s.ShortName),
                    Str("PaneButton.Label", "Show stage")),
                new XElement(Bt + "LongStrings",
                    Str("PaneButton.Tooltip", "Shows where you stand with the sender and the other people on this mail.")));

        XElement WebApplicationInfo(XNamespace ns) =>
            new(ns + "WebApplicationInfo",
                new XElement(ns + "Id", s.Api.ClientId.ToString()),
                new XElement(ns + "Resource", s.Api.Resource),
                new XElement(ns + "Scopes", new XElement(ns + "Scope", s.Api.Scope)));

        XElement Requirements(XNamespace ns, string minVersion) =>
            new(ns + "Requirements",
                new XElement(Bt + "Sets", new XAttribute("DefaultMinVersion", minVersion),
                    new XElement(Bt + "Set", new XAttribute("Name", "Mailbox"))));

        var root = new XElement(App + "OfficeApp",
            new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
            new XAttribute(XNamespace.Xmlns + "bt", Bt),
            new XAttribute(XNamespace.Xmlns + "mailappor", Mail10),
            Type("MailApp"),
            new XElement(App + "Id", s.AddinId.ToString()),
            new XElement(App + "Version", s.Version + ".0"),
            new XElement(App + "ProviderName", s.ProviderName),
            new XElement(App + "DefaultLocale", "en-US"),
            Default("DisplayName", s.ShortName),
            Default("Description", s.ShortDescription),
            Default("IconUrl", pane + "assets/icon-64.png"),
            Default("HighResolutionIconUrl", pane + "assets/icon-128.png"),
            Default("SupportUrl", s.WebsiteUrl.ToString()),
            new XElement(App + "AppDomains", new XElement(App + "AppDomain", s.ServiceUrl.GetLeftPart(UriPartial.Authority))),
            new XElement(App + "Hosts", new XElement(App + "Host", new XAttribute("Name", "Mailbox"))),
            new XElement(App + "Requirements",
                new XElement(App + "Sets", new XElement(App + "Set", new XAttribute("Name", "Mailbox"), new XAttribute("MinVersion", "1.1")))),
            new XElement(App + "FormSettings",
                new XElement(App + "Form", Type("ItemRead"),
                    new XElement(App + "DesktopSettings",
                        Default("SourceLocation", pane + "taskpane.html"),
                        new XElement(App + "RequestedHeight", "360")))),
            new XElement(App + "Permissions", "ReadItem"),
            new XElement(App + "Rule", Type("RuleCollection"), new XAttribute("Mode", "Or"),
                new XElement(App + "Rule", Type("ItemIs"), new XAttribute("ItemType", "Message"), new XAttribute("FormType", "Read"))),
            new XElement(App + "DisableEntityHighlighting", "true"),
            new XElement(Mail10 + "VersionOverrides", new XAttribute("xmlns", Mail10.NamespaceName), Type("VersionOverridesV1_0"),
                Requirements(Mail10, "1.3"),
                MailHost(Mail10, pinnable: false),
                Resources(Mail10),
                WebApplicationInfo(Mail10),
                new XElement(Mail11 + "VersionOverrides", new XAttribute("xmlns", Mail11.NamespaceName), Type("VersionOverridesV1_1"),
                    Requirements(Mail11, MailboxMinVersion),
                    MailHost(Mail11, pinnable: true),
                    Resources(Mail11),
                    WebApplicationInfo(Mail11))));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);

        static XElement Image(string id, string url) => new(Bt + "Image", new XAttribute("id", id), new XAttribute("DefaultValue", url));
        static XElement Url(string id, string url) => new(Bt + "Url", new XAttribute("id", id), new XAttribute("DefaultValue", url));
        static XElement Str(string id, string value) => new(Bt + "String", new XAttribute("id", id), new XAttribute("DefaultValue", value));
    }

    public static string Json(DeploymentSettings s)
    {
        var pane = s.PaneBase;
        JsonArray Icons() =>
        [
            new JsonObject { ["size"] = 16, ["url"] = pane + "assets/icon-16.png" },
            new JsonObject { ["size"] = 32, ["url"] = pane + "assets/icon-32.png" },
            new JsonObject { ["size"] = 80, ["url"] = pane + "assets/icon-80.png" },
        ];
        JsonArray Mailbox(string minVersion) => [new JsonObject { ["name"] = "Mailbox", ["minVersion"] = minVersion }];

        var manifest = new JsonObject
        {
            ["$schema"] = "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json",
            ["manifestVersion"] = "1.17",
            ["version"] = s.Version,
            ["id"] = s.AddinId.ToString(),
            ["developer"] = new JsonObject
            {
                ["name"] = s.ProviderName,
                ["websiteUrl"] = s.WebsiteUrl.ToString(),
                ["privacyUrl"] = s.PrivacyUrl.ToString(),
                ["termsOfUseUrl"] = s.TermsUrl.ToString(),
            },
            ["name"] = new JsonObject { ["short"] = s.ShortName, ["full"] = s.FullName },
            ["description"] = new JsonObject { ["short"] = s.ShortDescription, ["full"] = s.FullDescription },
            ["icons"] = new JsonObject { ["outline"] = "outline.png", ["color"] = "color.png" },
            ["accentColor"] = s.AccentColor,
            ["validDomains"] = new JsonArray(s.ServiceHost),
            ["webApplicationInfo"] = new JsonObject { ["id"] = s.Api.ClientId.ToString(), ["resource"] = s.Api.Resource },
            ["authorization"] = new JsonObject
            {
                ["permissions"] = new JsonObject
                {
                    ["resourceSpecific"] = new JsonArray(new JsonObject { ["name"] = "MailboxItem.Read.User", ["type"] = "Delegated" }),
                },
            },
            ["extensions"] = new JsonArray(new JsonObject
            {
                ["requirements"] = new JsonObject { ["scopes"] = new JsonArray("mail"), ["capabilities"] = Mailbox("1.3") },
                ["runtimes"] = new JsonArray(new JsonObject
                {
                    ["requirements"] = new JsonObject { ["capabilities"] = Mailbox(MailboxMinVersion) },
                    ["id"] = "TaskPaneRuntime",
                    ["type"] = "general",
                    ["code"] = new JsonObject { ["page"] = pane + "taskpane.html" },
                    ["lifetime"] = "short",
                    ["actions"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "TaskPaneRuntimeShow",
                        ["type"] = "openPage",
                        ["pinnable"] = true,
                        ["view"] = "dashboard",
                    }),
                }),
                ["ribbons"] = new JsonArray(new JsonObject
                {
                    ["contexts"] = new JsonArray("mailRead"),
                    ["tabs"] = new JsonArray(new JsonObject
                    {
                        ["builtInTabId"] = "TabDefault",
                        ["groups"] = new JsonArray(new JsonObject
                        {
                            ["id"] = "msgReadGroup",
                            ["label"] = s.ShortName,
                            ["icons"] = Icons(),
                            ["controls"] = new JsonArray(new JsonObject
                            {
                                ["id"] = "msgReadOpenPaneButton",
                                ["type"] = "button",
                                ["label"] = "Show stage",
                                ["icons"] = Icons(),
                                ["supertip"] = new JsonObject
                                {
                                    ["title"] = "Show stage",
                                    ["description"] = "Shows where you stand with the sender and the other people on this mail.",
                                },
                                ["actionId"] = "TaskPaneRuntimeShow",
                            }),
                        }),
                    }),
                }),
            }),
        };
        return manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
