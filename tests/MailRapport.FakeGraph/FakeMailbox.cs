using MailRapport.Core;

namespace MailRapport.FakeGraph;

/// <summary>A mail folder as the fake server lists it; WellKnownName is the Graph alias ("inbox", "deleteditems", ...).</summary>
public sealed record FakeFolder(string Id, string DisplayName, string? ParentId, string? WellKnownName);

/// <summary>
/// The mailbox a <see cref="FakeGraphServer"/> serves, with a change log so delta queries can return exactly the
/// changes since a token. Thread-safe: tests mutate it while the server reads it.
/// </summary>
public sealed class FakeMailbox
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FakeFolder> _folders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (MessageInteraction Message, string FolderId)> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MessageInteraction> _messageContent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(long Seq, string Id, bool Removed)>> _folderLog = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MeetingInteraction> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MeetingInteraction> _eventContent = new(StringComparer.Ordinal);
    private readonly List<(long Seq, string Id, bool Removed)> _eventLog = [];
    private readonly List<(long Seq, string Id, bool Removed)> _folderTreeLog = [];
    private long _seq;
    private int _nextId;

    public FakeMailbox(string owner, string? ownerDisplayName = null)
    {
        Owner = owner;
        OwnerDisplayName = ownerDisplayName;
        foreach (var (name, wellKnown) in new[]
                 {
                     ("Inbox", "inbox"), ("Sent Items", "sentitems"), ("Archive", "archive"), ("Deleted Items", "deleteditems"),
                     ("Junk Email", "junkemail"), ("Drafts", "drafts"), ("Outbox", "outbox"), ("Conversation History", "conversationhistory"),
                 })
            AddFolder(name, null, wellKnown);
    }

    /// <summary>
    /// Raised after each change to a message or event (resource "messages" or "events", item id, "created", "updated"
    /// or "deleted"): the fake server's subscriptions send their notifications from it.
    /// </summary>
    public event Action<string, string, string>? Changed;

    public string Owner { get; }
    public string? OwnerDisplayName { get; }

    public long Version { get { lock (_lock) return _seq; } }

    public FakeFolder Folder(string wellKnownName)
    {
        lock (_lock) return _folders.Values.Single(f => f.WellKnownName == wellKnownName);
    }

    public FakeFolder AddFolder(string displayName, string? parentId = null, string? wellKnownName = null)
    {
        lock (_lock)
        {
            var folder = new FakeFolder($"fld{++_nextId:D4}-{displayName.Replace(' ', '-')}", displayName, parentId, wellKnownName);
            _folders[folder.Id] = folder;
            _folderLog[folder.Id] = [];
            _folderTreeLog.Add((++_seq, folder.Id, false));
            return folder;
        }
    }

    /// <summary>Deletes a folder and everything in it (as emptying it out of Deleted Items would).</summary>
    public void DeleteFolder(string folderId)
    {
        lock (_lock)
        {
            foreach (var child in _folders.Values.Where(f => f.ParentId == folderId).ToList()) DeleteFolder(child.Id);
            foreach (var id in _messages.Where(m => m.Value.FolderId == folderId).Select(m => m.Key).ToList()) _messages.Remove(id);
            _folders.Remove(folderId);
            _folderLog.Remove(folderId);
            _folderTreeLog.Add((++_seq, folderId, true));
        }
    }

    /// <summary>Renames a folder (same id, as in Exchange).</summary>
    public void RenameFolder(string folderId, string displayName)
    {
        lock (_lock)
        {
            _folders[folderId] = _folders[folderId] with { DisplayName = displayName };
            _folderTreeLog.Add((++_seq, folderId, false));
        }
    }

    /// <summary>Moves a folder (and so its subtree) under another parent; its messages keep their folder.</summary>
    public void MoveFolder(string folderId, string? newParentId)
    {
        lock (_lock)
        {
            _folders[folderId] = _folders[folderId] with { ParentId = newParentId };
            _folderTreeLog.Add((++_seq, folderId, false));
        }
    }

    /// <summary>mailFolders/delta: every folder changed in (since, upto], last state; an initial round (since 0) has no removals.</summary>
    internal List<(string Id, bool Removed, FakeFolder? Folder)> FolderTreeChanges(long since, long upto)
    {
        lock (_lock)
        {
            var last = new Dictionary<string, (long Seq, bool Removed)>(StringComparer.Ordinal);
            foreach (var (seq, id, removed) in _folderTreeLog)
                if (seq > since && seq <= upto) last[id] = (seq, removed);
            return last.OrderBy(kv => kv.Value.Seq)
                .Where(kv => since > 0 || !kv.Value.Removed)
                .Select(kv => (kv.Key, kv.Value.Removed || !_folders.ContainsKey(kv.Key), _folders.GetValueOrDefault(kv.Key)))
                .ToList();
        }
    }

    /// <summary>Adds a message to a folder and returns its (immutable) Graph id.</summary>
    public string AddMessage(string folderId, MessageInteraction message)
    {
        string id;
        lock (_lock)
        {
            id = $"AAMkMsg{++_nextId:D8}=";
            _messages[id] = (message, folderId);
            _messageContent[id] = message;
            _folderLog[folderId].Add((++_seq, id, false));
        }
        Changed?.Invoke("messages", id, "created");
        return id;
    }

    /// <summary>Moves a message; with immutable ids it keeps its id (the source folder reports it @removed).</summary>
    public void MoveMessage(string id, string toFolderId)
    {
        lock (_lock)
        {
            var (message, from) = _messages[id];
            _folderLog[from].Add((++_seq, id, true));
            _messages[id] = (message, toFolderId);
            _folderLog[toFolderId].Add((++_seq, id, false));
        }
        Changed?.Invoke("messages", id, "updated");
    }

    public void DeleteMessage(string id)
    {
        lock (_lock)
        {
            var (_, from) = _messages[id];
            _messages.Remove(id);
            _folderLog[from].Add((++_seq, id, true));
        }
        Changed?.Invoke("messages", id, "deleted");
    }

    /// <summary>Adds or replaces a calendar event; its id is the meeting's key.</summary>
    public void PutEvent(MeetingInteraction meeting)
    {
        lock (_lock)
        {
            _events[meeting.Key] = meeting;
            _eventContent[meeting.Key + "#" + (_seq + 1)] = meeting;
            _eventLog.Add((++_seq, meeting.Key, false));
        }
        Changed?.Invoke("events", meeting.Key, "created");
    }

    public void DeleteEvent(string id)
    {
        bool removed;
        lock (_lock)
        {
            removed = _events.Remove(id);
            if (removed) _eventLog.Add((++_seq, id, true));
        }
        if (removed) Changed?.Invoke("events", id, "deleted");
    }

    public IReadOnlyList<FakeFolder> Folders { get { lock (_lock) return _folders.Values.ToList(); } }

    public IReadOnlyList<(string Id, MessageInteraction Message, string FolderId)> Messages
    {
        get { lock (_lock) return _messages.Select(kv => (kv.Key, kv.Value.Message, kv.Value.FolderId)).ToList(); }
    }

    public IReadOnlyList<MeetingInteraction> Events { get { lock (_lock) return _events.Values.ToList(); } }

    internal IReadOnlyList<FakeFolder> ChildrenOf(string? parentId)
    {
        lock (_lock) return _folders.Values.Where(f => f.ParentId == parentId).OrderBy(f => f.Id, StringComparer.Ordinal).ToList();
    }

    internal FakeFolder? FindFolder(string idOrWellKnown)
    {
        lock (_lock)
            return _folders.GetValueOrDefault(idOrWellKnown)
                   ?? _folders.Values.FirstOrDefault(f => string.Equals(f.WellKnownName, idOrWellKnown, StringComparison.OrdinalIgnoreCase));
    }

    internal List<(string Id, MessageInteraction Message)> MessagesIn(string folderId, int top)
    {
        lock (_lock)
            return _messages.Where(m => m.Value.FolderId == folderId).Take(top).Select(m => (m.Key, m.Value.Message)).ToList();
    }

    private readonly Dictionary<(string, long, long), List<(string Id, bool Removed, MessageInteraction? Content)>> _folderDeltaCache = new();

    /// <summary>The folder's changes in (since, upto]: last state per id; an initial round (since 0) has no removals.</summary>
    internal List<(string Id, bool Removed, MessageInteraction? Content)>? FolderChanges(string folderId, long since, long upto)
    {
        lock (_lock)
        {
            if (!_folderLog.TryGetValue(folderId, out var log)) return null;
            if (_folderDeltaCache.TryGetValue((folderId, since, upto), out var cached)) return cached;
            var last = new Dictionary<string, (long Seq, bool Removed)>(StringComparer.Ordinal);
            foreach (var (seq, id, removed) in log)
                if (seq > since && seq <= upto) last[id] = (seq, removed);
            var result = last.OrderBy(kv => kv.Value.Seq)
                .Where(kv => since > 0 || !kv.Value.Removed)
                .Select(kv => (kv.Key, kv.Value.Removed, kv.Value.Removed ? null : _messageContent[kv.Key]))
                .ToList();
            _folderDeltaCache[(folderId, since, upto)] = result;
            return result;
        }
    }

    private readonly Dictionary<(long, long, long, long), List<(string Id, bool Removed, MeetingInteraction? Content)>> _eventDeltaCache = new();

    /// <summary>Calendar view changes in (since, upto] for [start, end): events outside the window come as removed.</summary>
    internal List<(string Id, bool Removed, MeetingInteraction? Content)> EventChanges(long since, long upto, DateTimeOffset start, DateTimeOffset end)
    {
        lock (_lock)
        {
            var cacheKey = (since, upto, start.UtcTicks, end.UtcTicks);
            if (_eventDeltaCache.TryGetValue(cacheKey, out var cached)) return cached;
            var last = new Dictionary<string, (long Seq, bool Removed)>(StringComparer.Ordinal);
            foreach (var (seq, id, removed) in _eventLog)
                if (seq > since && seq <= upto) last[id] = (seq, removed);
            var result = new List<(string, bool, MeetingInteraction?)>();
            foreach (var (id, (seq, removed)) in last.OrderBy(kv => kv.Value.Seq))
            {
                var content = removed ? null : _eventContent[id + "#" + seq];
                bool inWindow = content is not null && content.Start < end && content.End > start;
                if (!inWindow && since == 0) continue;
                result.Add((id, !inWindow, inWindow ? content : null));
            }
            _eventDeltaCache[cacheKey] = result;
            return result;
        }
    }

    /// <summary>What a correct scan stores: messages in folders outside the excluded well-known trees, once per key.</summary>
    public IReadOnlyList<MessageInteraction> ExpectedMessages(IEnumerable<string> excludedWellKnownNames)
    {
        lock (_lock)
        {
            var excludedRoots = _folders.Values.Where(f => f.WellKnownName is not null &&
                excludedWellKnownNames.Contains(f.WellKnownName, StringComparer.OrdinalIgnoreCase)).Select(f => f.Id).ToHashSet();
            bool Excluded(string folderId)
            {
                for (var f = _folders[folderId]; ; f = _folders[f.ParentId!])
                {
                    if (excludedRoots.Contains(f.Id)) return true;
                    if (f.ParentId is null) return false;
                }
            }
            return _messages.Values.Where(m => !Excluded(m.FolderId)).Select(m => m.Message)
                .GroupBy(m => m.Key).Select(g => g.First()).OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Events a calendarView over [start, end) contains.</summary>
    public IReadOnlyList<MeetingInteraction> ExpectedMeetings(DateTimeOffset start, DateTimeOffset end)
    {
        lock (_lock) return _events.Values.Where(e => e.Start < end && e.End > start).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
    }
}
