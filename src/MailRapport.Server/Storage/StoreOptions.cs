using System.ComponentModel.DataAnnotations;

namespace MailRapport.Server.Storage;

public enum StoreProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Where interactions and profiles are kept. Bound from the "Store" configuration section.</summary>
public sealed class StoreOptions : IValidatableObject
{
    public const string Section = "Store";

    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>SQLite file path (used when Provider is Sqlite and ConnectionString is empty).</summary>
    public string Path { get; set; } = System.IO.Path.Combine("data", "mailrapport.db");

    /// <summary>Full ADO.NET connection string; required for Postgres.</summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == StoreProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("Store:ConnectionString is required when Store:Provider is Postgres.", [nameof(ConnectionString)]);
        else if (Provider == StoreProvider.Sqlite && string.IsNullOrWhiteSpace(ConnectionString) && string.IsNullOrWhiteSpace(Path))
            yield return new ValidationResult("Store:Path (or Store:ConnectionString) is required for SQLite.", [nameof(Path)]);
    }
}
