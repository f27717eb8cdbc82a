using System.ComponentModel.DataAnnotations;

namespace MailRapport.Server.Storage;

public enum StoreProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Where interactions and profiles are kept. Bound from the "Store" configuration section.</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>SQLite file path (used when Provider is Sqlite and ConnectionString is empty).</summary>
    public string Path { get; set; } = System.IO.Path.Combine("data", "mailrapport.db");

    /// <summary>Full ADO.NET connection string; required for Postgres.</summary>
    public string? ConnectionString { get; set; }
}
