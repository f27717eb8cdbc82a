using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace MailRapport.Server.Pane;

/// <summary>Where and as what one deployment of the add-in runs: the one source both manifests are written from.</summary>
public sealed record DeploymentSettings
{
    [Required, RegularExpression("^[a-z0-9][a-z0-9-]{0,39}$")] public required string Deployment { get; init; }
    [Required] public required Guid AddinId { get; init; }
    [Required, RegularExpression(@"^\d{1,5}\.\d{1,5}\.\d{1,5}$")] public required string Version { get; init; }
    [Required, StringLength(125)] public required string ProviderName { get; init; }
    [Required, StringLength(30)] public required string ShortName { get; init; }
    [Required, StringLength(100)] public required string FullName { get; init; }
    [Required, StringLength(80)] public required string ShortDescription { get; init; }
    [Required, StringLength(250)] public required string FullDescription { get; init; }
    [Required] public required Uri ServiceUrl { get; init; }
    [Required] public required Uri WebsiteUrl { get; init; }
    [Required] public required Uri PrivacyUrl { get; init; }
    [Required] public required Uri TermsUrl { get; init; }
    [Required, RegularExpression("^#[0-9A-Fa-f]{6}$")] public required string AccentColor { get; init; }
    [Required] public required ApiSettings Api { get; init; }
    /// <summary>True when the service runs in local mode: the pane signs in to nothing.</summary>
    public bool LocalMode { get; init; }

    public sealed record ApiSettings
    {
        [Required] public required Guid ClientId { get; init; }
        [Required, StringLength(250)] public required string Resource { get; init; }
        [Required, RegularExpression("^[A-Za-z0-9_.-]{1,100}$")] public required string Scope { get; init; }
    }

    /// <summary>Base URL of the pane's pages, always ending in a slash.</summary>
    public string PaneBase => ServiceUrl.GetLeftPart(UriPartial.Authority) + PaneEndpoints.BasePath + "/";

    public string ServiceHost => ServiceUrl.Authority;

    private static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads and checks a deployment file; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static DeploymentSettings Parse(string json, string source)
    {
        DeploymentSettings? settings;
        try
        {
            // "$comment" is documentation inside the file, not a setting.
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var withoutComment = new Dictionary<string, JsonElement>();
            foreach (var p in doc.RootElement.EnumerateObject())
                if (p.Name != "$comment") withoutComment[p.Name] = p.Value;
            settings = JsonSerializer.Deserialize<DeploymentSettings>(JsonSerializer.Serialize(withoutComment), ReadOptions);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source}: not a valid deployment file: {e.Message}", e);
        }
        if (settings is null) throw new InvalidDataException($"{source}: empty deployment file.");

        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(settings, new ValidationContext(settings), errors, validateAllProperties: true);
        Validator.TryValidateObject(settings.Api, new ValidationContext(settings.Api), errors, validateAllProperties: true);
        foreach (var (name, url) in new[] { ("serviceUrl", settings.ServiceUrl), ("websiteUrl", settings.WebsiteUrl), ("privacyUrl", settings.PrivacyUrl), ("termsUrl", settings.TermsUrl) })
        {
            // Outlook refuses add-in pages that are not served over HTTPS.
            if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps)
                errors.Add(new ValidationResult($"{name} must be an absolute https:// URL.", [name]));
        }
        if (errors.Count > 0)
            throw new InvalidDataException($"{source}: " + string.Join(" ", errors.Select(e => e.ErrorMessage)));
        return settings;
    }
}
