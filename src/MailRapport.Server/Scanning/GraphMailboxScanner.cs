using System.Diagnostics;
using MailRapport.Core;
using MailRapport.Server.Graph;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using EmailAddress = MailRapport.Core.EmailAddress;

namespace MailRapport.Server.Scanning;

/// <summary>
/// Reads one Microsoft 365 mailbox through Graph delta queries: the folder tree (mailFolders delta,
/// <see cref="GraphFolderSync"/>), every correspondence folder (message delta, <see cref="GraphMessageDelta"/>) and one
/// calendarView window (event delta, <see cref="GraphCalendarDelta"/>). Pages are committed with their next/delta
/// link (<see cref="GraphDeltaRound"/>), so the nightly run asks only for changes and a killed scan resumes exactly.
/// Profiles are recomputed at the end.
/// </summary>
public sealed class GraphMailboxScanner(
    GraphServiceClient graph,
    MailStore store,
    ProfileService profiles,
    GraphOptions options,
    TimeProvider time,
    GraphRequestCounter? counter = null) : IMailboxScanner
{
    private readonly InteractionStore interactions = new(store);
    internal const string FolderScopePrefix = "folder:";
    private const string MessageSource = "graph";

    public async Task<ScanResult> ScanAsync(string mailboxId, IProgress<ScanProgress>? progress = null, CancellationToken ct = default)
    {
        using var gate = GraphThrottlingHandler.ForMailbox(mailboxId); // every request of this scan shares the mailbox's gate
        var clock = Stopwatch.StartNew();
        long requestsAtStart = counter?.Requests ?? 0;
        var run = new Run(progress, () => (int)((counter?.Requests ?? 0) - requestsAtStart));
        var client = graph; // the one place the scan gets its Graph client: every request below goes through it
        var reader = new GraphPageReader(client);
        var sync = new GraphSyncStore(store, time);
        var messages = new GraphMessageDelta(client, reader, options);
        var calendar = new GraphCalendarDelta(client, reader, options);
        run.Report("folders", null);
        var states = await sync.LoadAsync(mailboxId, ct);
        // The folder tree first: an unknown mailbox fails here, before anything is stored for it.
        var folders = await new GraphFolderSync(client, reader, sync, options).SyncAsync(mailboxId, states.GetValueOrDefault(GraphFolderSync.Scope), ct);
        var mailbox = await EnsureMailboxAsync(client, mailboxId, ct);
        var mapper = new GraphInteractionMapper(mailbox.OwnerAddresses);
        var liveScopes = folders.Select(f => FolderScopePrefix + f.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in states.Keys.Where(s => s.StartsWith(FolderScopePrefix, StringComparison.Ordinal) && !liveScopes.Contains(s)).ToList())
        {
            // A deleted folder, or one moved under an excluded one: its messages go unless another folder holds them.
            run.MessagesRemoved += await sync.DropScopeAsync(mailboxId, GraphItemKind.Message, gone, ct: ct);
            states.Remove(gone);
        }

        foreach (var folder in folders)
        {
            var scope = FolderScopePrefix + folder.Id;
            var state = states.GetValueOrDefault(scope) ?? GraphSyncState.Fresh(scope);
            run.Report("mail", folder.Path);
            await GraphDeltaRound.RunAsync(mailboxId, GraphItemKind.Message, state, sync, run, folder.Path, options.ItemsPerCommit,
                link => messages.FetchAsync(mailboxId, folder.Id, link, mapper, ct), ct);
        }

        var (windowStart, windowEnd) = CalendarWindow(time.GetUtcNow());
        var calendarScope = GraphCalendarDelta.ScopeOf(windowStart, windowEnd);
        run.Report("calendar", calendarScope);
        var calendarState = states.GetValueOrDefault(calendarScope) ?? GraphSyncState.Fresh(calendarScope);
        await GraphDeltaRound.RunAsync(mailboxId, GraphItemKind.Meeting, calendarState, sync, run, "Calendar", options.ItemsPerCommit,
            link => calendar.FetchAsync(mailboxId, windowStart, windowEnd, link, mapper, ct), ct);
        // The window moved (monthly): the new one is complete, so the old one can go; meetings before the new start stay as history.
        foreach (var old in states.Keys.Where(s => s.StartsWith(GraphCalendarDelta.ScopePrefix, StringComparison.Ordinal) &&
                                                   s != calendarScope && s != GraphCalendarDelta.HistoryScope).ToList())
            run.MeetingsRemoved += await sync.DropScopeAsync(mailboxId, GraphItemKind.Meeting, old, GraphCalendarDelta.HistoryScope,
                windowStart.ToUnixTimeMilliseconds(), ct);

        run.Report("profiles", null);
        await profiles.RecomputeChangedAsync(mailboxId, time.GetUtcNow(), ct);
        run.Report("done", null);
        return new ScanResult(mailboxId, run.MessagesUpserted, run.MessagesRemoved, run.MeetingsUpserted, run.MeetingsRemoved,
            run.Requests(), run.Skipped, clock.Elapsed);
    }

    /// <summary>Configured days back/ahead, widened to whole months so the window (and its delta state) changes once a month.</summary>
    internal (DateTimeOffset Start, DateTimeOffset End) CalendarWindow(DateTimeOffset now) => GraphCalendarDelta.Window(options, now);

    /// <summary>The folders the last scan read (from the stored tree; no request).</summary>
    internal async Task<IReadOnlyList<MailFolderInfo>> StoredCorrespondenceFoldersAsync(string mailboxId, CancellationToken ct)
    {
        var tree = await new GraphSyncStore(store, time).LoadFolderTreeAsync(mailboxId, ct);
        var excluded = options.ExcludedWellKnownFolders.Select(n => tree.WellKnown.GetValueOrDefault(n)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return GraphFolderSync.CorrespondenceFolders(tree.Folders, excluded);
    }

    private async Task<StoredMailbox> EnsureMailboxAsync(GraphServiceClient client, string mailboxId, CancellationToken ct)
    {
        var existing = await interactions.GetMailboxAsync(mailboxId, ct);
        if (existing is not null) return existing;
        var owners = new List<string>();
        if (EmailAddress.Normalize(mailboxId) is { } named) owners.Add(named);
        else
        {
            // A signed-in user's mailbox is named by their object id: the directory knows their addresses.
            var user = await new UserDirectory(client).FindAsync(mailboxId, ct)
                ?? throw new ArgumentException($"Mailbox '{mailboxId}' is neither an address nor a user of the tenant.", nameof(mailboxId));
            foreach (var address in new[] { user.Mail, user.UserPrincipalName })
                if (EmailAddress.Normalize(address) is { } a && !owners.Contains(a)) owners.Add(a);
        }
        // The UPN is not always the mail address: Sent Items shows the address the owner really writes from.
        try
        {
            var sent = await client.Users[mailboxId].MailFolders["sentitems"].Messages.GetAsync(rc =>
            {
                rc.QueryParameters.Select = ["from"];
                rc.QueryParameters.Top = 10;
            }, ct);
            foreach (var m in sent?.Value ?? [])
                if (EmailAddress.Normalize(m.From?.EmailAddress?.Address) is { } a && !owners.Contains(a)) owners.Add(a);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            // No Sent Items: the directory's addresses are all we know.
        }
        var mailbox = new StoredMailbox(mailboxId, owners, null, MessageSource, time.GetUtcNow());
        await interactions.UpsertMailboxAsync(mailbox, ct);
        return mailbox;
    }

    /// <summary>What one scan did so far, reported as progress.</summary>
    internal sealed class Run(IProgress<ScanProgress>? progress, Func<int> requests)
    {
        public int Pages, MessagesUpserted, MessagesRemoved, MeetingsUpserted, MeetingsRemoved, Skipped;
        public Func<int> Requests => requests;

        public void AddUpserted(GraphItemKind kind, int count)
        {
            if (kind == GraphItemKind.Message) MessagesUpserted += count; else MeetingsUpserted += count;
        }

        public void AddRemoved(GraphItemKind kind, int count)
        {
            if (kind == GraphItemKind.Message) MessagesRemoved += count; else MeetingsRemoved += count;
        }

        public void Report(string phase, string? scope) =>
            progress?.Report(new ScanProgress(phase, scope, Pages, MessagesUpserted, MeetingsUpserted, requests()));
    }
}
