using MailRapport.Core;
using MailRapport.Server.Graph;
using Microsoft.Graph;

namespace MailRapport.Server.Scanning;

/// <summary>One page of a mail folder's message delta (minimal $select, immutable ids), mapped to interactions.</summary>
internal sealed class GraphMessageDelta(GraphServiceClient graph, GraphPageReader reader, GraphOptions options)
{
    internal static readonly string[] Select =
    [
        "id", "from", "sender", "toRecipients", "ccRecipients", "bccRecipients", "sentDateTime", "receivedDateTime",
        "conversationId", "conversationIndex", "internetMessageId", "isDraft", "subject",
    ];

    public async Task<FetchedPage<MessageInteraction>> FetchAsync(string mailboxId, string folderId, string? link,
        GraphInteractionMapper mapper, CancellationToken ct)
    {
        var request = GraphPageReader.PageRequest(link, [$"odata.maxpagesize={options.PageSize}", "IdType=\"ImmutableId\""],
            () => graph.Users[mailboxId].MailFolders[folderId].Messages.Delta.ToGetRequestInformation(rc =>
                rc.QueryParameters.Select = options.ReadInternetMessageHeaders ? [.. Select, "internetMessageHeaders"] : Select));
        var response = await reader.ReadAsync<GraphMessage>(request, GraphMessagePageParser.Parse, ct);
        var items = response.Value ?? [];
        var upserts = new List<(string, MessageInteraction?)>(items.Count);
        var removed = new List<string>();
        int skipped = 0;
        foreach (var m in items)
        {
            if (string.IsNullOrEmpty(m?.Id)) { skipped++; continue; } // a null item too: counted and skipped, not the page lost
            if (m.Removed is not null) { removed.Add(m.Id); continue; }
            var interaction = mapper.Map(m);
            if (interaction is null && m.IsDraft != true) skipped++;
            upserts.Add((m.Id, interaction));
        }
        return new FetchedPage<MessageInteraction>(new GraphPageChanges<MessageInteraction>(upserts, removed),
            response.NextLink, response.DeltaLink, skipped);
    }
}
