using System.ComponentModel.DataAnnotations;
using MailRapport.Server.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Api;

/// <summary>Bound from "Api:ContactCache".</summary>
public sealed class ContactCacheOptions
{
    public const string Section = "Api:ContactCache";

    /// <summary>Memory for mapped contact answers, estimated; 0 turns the cache off.</summary>
    [Range(0, 4096)]
    public int MaxMegabytes { get; set; } = 64;
}

/// <summary>
/// Contact answers already mapped from their stored documents. The pane asks for the same people mail after mail,
/// and a profile changes only when a scan recomputes it, so a repeated answer costs the query and a byte comparison
/// instead of parsing and mapping the document. An entry is used only while the stored document and history are
/// exactly those it was made from: it is never stale, and never answers for a row that is gone (the query finds
/// nothing first).
/// </summary>
public sealed class ContactResponseCache(IOptions<ContactCacheOptions> options) : IDisposable
{
    // Made once, here: null when the cache is off (a lazily made one could be made twice by concurrent requests).
    private readonly MemoryCache? cache = options.Value.MaxMegabytes == 0 ? null
        : new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.MaxMegabytes * 1024L * 1024, CompactionPercentage = 0.25 });

    public ContactResponse Get(string mailboxId, string address, StoredContact contact)
    {
        if (cache is null) return Map(contact);
        var key = (mailboxId, address);
        if (cache.TryGetValue(key, out Entry? hit) && hit!.Matches(contact)) return hit.Response;
        var entry = new Entry(contact.Format, contact.Document.ToArray(), [.. contact.History], Map(contact));
        // The mapped answer takes a few times the document's bytes; an estimate is all the limit needs.
        cache.Set(key, entry, new MemoryCacheEntryOptions { Size = 4L * entry.Document.Length + 512 });
        return entry.Response;
    }

    private static ContactResponse Map(StoredContact contact) => ContactMapping.ToResponse(contact.Profile, contact.History);

    public void Dispose() => cache?.Dispose();

    private sealed record Entry(short Format, byte[] Document, StageChange[] History, ContactResponse Response)
    {
        public bool Matches(StoredContact contact) =>
            Format == contact.Format && contact.Document.SequenceEqual(Document) && contact.History.SequenceEqual(History);
    }
}
