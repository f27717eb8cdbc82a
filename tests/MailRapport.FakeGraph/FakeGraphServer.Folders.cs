using Microsoft.AspNetCore.Http;

namespace MailRapport.FakeGraph;

/// <summary>mailFolders/delta: the whole folder tree, flat, each folder with its parent; then only what changed.</summary>
public sealed partial class FakeGraphServer
{
    private (int, string) FolderTreeDelta(HttpContext context)
    {
        var q = context.Request.Query;
        long since, upto;
        int offset;
        if (q.TryGetValue("$skiptoken", out var skip))
        {
            if (!TryParseToken(skip!, out var p, 3)) return (400, Error("BadRequest", "Malformed skip token."));
            (since, upto, offset) = (p[0], p[1], (int)p[2]);
        }
        else if (q.TryGetValue("$deltatoken", out var delta))
        {
            if (!TryParseToken(delta!, out var p, 1)) return (400, Error("BadRequest", "Malformed delta token."));
            (since, upto, offset) = (p[0], Mailbox.Version, 0);
        }
        else (since, upto, offset) = (0, Mailbox.Version, 0);
        var changes = Mailbox.FolderTreeChanges(since, upto);
        int size = PageSize(context);
        var page = changes.Skip(offset).Take(size).ToList();
        bool more = offset + page.Count < changes.Count;
        var self = $"{BaseUrl}/users/{Uri.EscapeDataString(Mailbox.Owner)}/mailFolders/delta";
        return (200, Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", $"{BaseUrl}/$metadata#Collection(mailFolder)");
            if (more) w.WriteString("@odata.nextLink", $"{self}?$skiptoken={Token(since, upto, offset + page.Count)}");
            else w.WriteString("@odata.deltaLink", $"{self}?$deltatoken={Token(upto)}");
            w.WriteStartArray("value");
            foreach (var (id, removed, folder) in page)
            {
                if (removed || folder is null)
                {
                    w.WriteStartObject();
                    w.WriteString("id", id);
                    w.WriteStartObject("@removed");
                    w.WriteString("reason", "deleted");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                else WriteFolder(w, folder);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }
}
