using System.Xml.Linq;
using Dapper;
using MailRapport.Server.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace MailRapport.Server.Delegated;

/// <summary>
/// The Data Protection key ring in the database, so every host that shares the database can read what another
/// encrypted (grants written by the API host are read by the host that scans). Owns <c>data_protection_keys</c>.
/// The keys themselves are stored as Data Protection writes them; protect the database as you would the tokens.
/// </summary>
public sealed class DataProtectionKeys(MailStore store, TimeProvider clock) : IXmlRepository
{
    // IXmlRepository is synchronous by contract; Data Protection calls it rarely (start-up, key refresh, key creation).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = store.OpenConnectionAsync().AsTask().GetAwaiter().GetResult();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY created_at, friendly_name")
            .Select(xml => XElement.Parse(xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = store.OpenConnectionAsync().AsTask().GetAwaiter().GetResult();
        connection.Execute("""
            INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@friendlyName, @xml, @now)
            ON CONFLICT (friendly_name) DO NOTHING
            """, new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), now = clock.GetUtcNow().ToUnixTimeMilliseconds() });
    }
}
