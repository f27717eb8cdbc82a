using System.Diagnostics;
using System.Globalization;
using MailRapport.Core;
using MailRapport.Server.Graph;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using EmailAddress = MailRapport.Core.EmailAddress;
using Attendee = MailRapport.Core.Attendee;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace MailRapport.Server.Scanning;

/// <summary>
/// Reads one Microsoft 365 mailbox through Graph delta queries: every correspondence folder (message delta with a
/// minimal $select) and one calendarView window (event delta). Each page is committed with its next/delta link,
/// so the nightly run asks only for changes and a killed scan resumes exactly. Profiles are recomputed at the end.
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
    internal const string CalendarScopePrefix = "calendar:";
    internal const string CalendarHistoryScope = "calendar:history";
    private const string MessageSource = "graph";

    internal static readonly string[] MessageSelect =
    [
        "id", "from", "sender", "toRecipients", "ccRecipients", "bccRecipients", "sentDateTime", "receivedDateTime",
        "conversationId", "conversationIndex", "internetMessageId", "isDraft", "subject",
    ];

    public async Task<ScanResult> ScanAsync(string mailboxId, IProgress<ScanProgress>? progress = null, CancellationToken ct = default)
    {
        using var gate = GraphThrottlingHandler.ForMailbox(mailboxId); // every request of this scan shares the mailbox's gate
        var clock = Stopwatch.StartNew();
        long requestsAtStart = counter?.Requests ?? 0;
        var run = new Run(progress, () => (int)((counter?.Requests ?? 0) - requestsAtStart));
        run.Report("folders", null);
        // Listing first: an unknown mailbox fails here, before anything is stored for it.
        var folders = await ListCorrespondenceFoldersAsync(mailboxId, ct);
        var mailbox = await EnsureMailboxAsync(mailboxId, ct);
        var mapper = new GraphInteractionMapper(mailbox.OwnerAddresses);
        var sync = new GraphSyncStore(store, time);
        var states = await sync.LoadAsync(mailboxId, ct);
        var liveScopes = folders.Select(f => FolderScopePrefix + f.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in states.Keys.Where(s => s.StartsWith(FolderScopePrefix, StringComparison.Ordinal) && !liveScopes.Contains(s)).ToList())
        {
            run.MessagesRemoved += await sync.DropScopeAsync(mailboxId, GraphItemKind.Message, gone, ct: ct);
            states.Remove(gone);
        }

        foreach (var folder in folders)
        {
            var scope = FolderScopePrefix + folder.Id;
            var state = states.GetValueOrDefault(scope) ?? GraphSyncState.Fresh(scope);
            run.Report("mail", folder.Path);
            await SyncScopeAsync(mailboxId, GraphItemKind.Message, state, sync, run, folder.Path,
                link => FetchMessagesAsync(mailboxId, folder.Id, link, mapper, ct), ct);
        }

        var (windowStart, windowEnd) = CalendarWindow(time.GetUtcNow());
        var calendarScope = $"{CalendarScopePrefix}{windowStart:yyyy-MM-dd}/{windowEnd:yyyy-MM-dd}";
        run.Report("calendar", calendarScope);
        var calendarState = states.GetValueOrDefault(calendarScope) ?? GraphSyncState.Fresh(calendarScope);
        await SyncScopeAsync(mailboxId, GraphItemKind.Meeting, calendarState, sync, run, "Calendar",
            link => FetchEventsAsync(mailboxId, windowStart, windowEnd, link, mapper, ct), ct);
        // The window moved (monthly): the new one is complete, so the old one can go; meetings before the new start stay as history.
        foreach (var old in states.Keys.Where(s => s.StartsWith(CalendarScopePrefix, StringComparison.Ordinal) &&
                                                   s != calendarScope && s != CalendarHistoryScope).ToList())
            run.MeetingsRemoved += await sync.DropScopeAsync(mailboxId, GraphItemKind.Meeting, old, CalendarHistoryScope,
                windowStart.ToUnixTimeMilliseconds(), ct);

        run.Report("profiles", null);
        await profiles.RecomputeChangedAsync(mailboxId, time.GetUtcNow(), ct);
        run.Report("done", null);
        return new ScanResult(mailboxId, run.MessagesUpserted, run.MessagesRemoved, run.MeetingsUpserted, run.MeetingsRemoved,
            run.Requests(), run.Skipped, clock.Elapsed);
    }

    /// <summary>Runs one scope's delta round to its delta link, committing page by page; restarts it once if its state expired.</summary>
    private async Task SyncScopeAsync<T>(string mailboxId, GraphItemKind kind, GraphSyncState state, GraphSyncStore sync, Run run,
        string label, Func<string?, Task<FetchedPage<T>>> fetch, CancellationToken ct) where T : class
    {
        int restarts = 0;
        Task<FetchedPage<T>>? prefetch = null;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (state.DeltaLink is not null && state.NextLink is null && state.FullSync)
                {
                    // Killed between the last page and the sweep: finish the sweep before asking for changes.
                    AddRemoved(run, kind, await sync.FinishFullSyncAsync(mailboxId, kind, state, ct));
                    state = state with { FullSync = false };
                }

                FetchedPage<T> page;
                try
                {
                    var pending = prefetch ?? fetch(state.NextLink ?? state.DeltaLink);
                    prefetch = null;
                    page = await pending;
                }
                catch (ApiException ex) when (IsExpiredSyncState(ex) && restarts < MaxRestartsPerScope)
                {
                    restarts++;
                    run.Report(kind == GraphItemKind.Message ? "mail" : "calendar", label + " (delta state expired: full resync)");
                    state = await sync.RestartAsync(mailboxId, state, ct);
                    continue;
                }
                if (page.NextLink is null && page.DeltaLink is null)
                    throw new InvalidDataException($"Graph returned a delta page for {label} with neither @odata.nextLink nor @odata.deltaLink.");

                // Ask for the next page while this one is written: the link is all the next request needs.
                if (page.NextLink is not null) prefetch = fetch(page.NextLink);

                var next = state with { NextLink = page.NextLink, DeltaLink = page.NextLink is null ? page.DeltaLink : null };
                var (upserted, removed) = await sync.CommitPageAsync(mailboxId, kind, next, page.Changes, ct);
                state = next;
                run.Pages++;
                run.Skipped += page.Skipped;
                if (kind == GraphItemKind.Message) { run.MessagesUpserted += upserted; run.MessagesRemoved += removed; }
                else { run.MeetingsUpserted += upserted; run.MeetingsRemoved += removed; }
                run.Report(kind == GraphItemKind.Message ? "mail" : "calendar", label);

                if (state.NextLink is null)
                {
                    if (state.FullSync) AddRemoved(run, kind, await sync.FinishFullSyncAsync(mailboxId, kind, state, ct));
                    return;
                }
            }
        }
        finally
        {
            // A failed commit or a cancellation leaves a fetch running: observe it so nothing is left unobserved.
            if (prefetch is not null)
                try { await prefetch; } catch (Exception) { /* the page is fetched again on the next run */ }
        }
    }

    /// <summary>An expired state twice in a row for one scope in one run means something else is wrong; stop and say so.</summary>
    private const int MaxRestartsPerScope = 2;

    private static void AddRemoved(Run run, GraphItemKind kind, int removed)
    {
        if (kind == GraphItemKind.Message) run.MessagesRemoved += removed; else run.MeetingsRemoved += removed;
    }

    internal static bool IsExpiredSyncState(ApiException ex)
    {
        if (ex.ResponseStatusCode == 410) return true;
        var code = (ex as ODataError)?.Error?.Code;
        return code is not null && (code.Equals("syncStateNotFound", StringComparison.OrdinalIgnoreCase) ||
                                    code.Equals("syncStateInvalid", StringComparison.OrdinalIgnoreCase) ||
                                    code.Equals("resyncRequired", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<FetchedPage<MessageInteraction>> FetchMessagesAsync(string mailboxId, string folderId, string? link,
        GraphInteractionMapper mapper, CancellationToken ct)
    {
        var delta = graph.Users[mailboxId].MailFolders[folderId].Messages.Delta;
        void Configure(RequestConfiguration<Microsoft.Graph.Users.Item.MailFolders.Item.Messages.Delta.DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters> rc)
        {
            if (link is null)
                rc.QueryParameters.Select = options.ReadInternetMessageHeaders ? [.. MessageSelect, "internetMessageHeaders"] : MessageSelect;
            rc.Headers.Add("Prefer", $"odata.maxpagesize={options.PageSize}");
            rc.Headers.Add("Prefer", "IdType=\"ImmutableId\"");
        }
        var response = link is null
            ? await delta.GetAsDeltaGetResponseAsync(Configure, ct)
            : await delta.WithUrl(link).GetAsDeltaGetResponseAsync(Configure, ct);
        var upserts = new List<(string, MessageInteraction?)>();
        var removed = new List<string>();
        int skipped = 0;
        foreach (var m in response?.Value ?? [])
        {
            if (string.IsNullOrEmpty(m.Id)) { skipped++; continue; }
            if (GraphInteractionMapper.IsRemoved(m.AdditionalData)) { removed.Add(m.Id); continue; }
            var interaction = mapper.Map(m);
            if (interaction is null && m.IsDraft != true) skipped++;
            upserts.Add((m.Id, interaction));
        }
        return new FetchedPage<MessageInteraction>(new GraphPageChanges<MessageInteraction>(upserts, removed),
            response?.OdataNextLink, response?.OdataDeltaLink, skipped);
    }

    private async Task<FetchedPage<MeetingInteraction>> FetchEventsAsync(string mailboxId, DateTimeOffset start, DateTimeOffset end,
        string? link, GraphInteractionMapper mapper, CancellationToken ct)
    {
        var delta = graph.Users[mailboxId].CalendarView.Delta;
        void Configure(RequestConfiguration<Microsoft.Graph.Users.Item.CalendarView.Delta.DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters> rc)
        {
            if (link is null)
            {
                rc.QueryParameters.StartDateTime = start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);
                rc.QueryParameters.EndDateTime = end.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);
            }
            rc.Headers.Add("Prefer", $"odata.maxpagesize={options.PageSize}");
            rc.Headers.Add("Prefer", "outlook.timezone=\"UTC\"");
            rc.Headers.Add("Prefer", "IdType=\"ImmutableId\"");
        }
        var response = link is null
            ? await delta.GetAsDeltaGetResponseAsync(Configure, ct)
            : await delta.WithUrl(link).GetAsDeltaGetResponseAsync(Configure, ct);
        var upserts = new List<(string, MeetingInteraction?)>();
        var removed = new List<string>();
        int skipped = 0;
        foreach (var e in response?.Value ?? [])
        {
            if (string.IsNullOrEmpty(e.Id)) { skipped++; continue; }
            // @removed also covers events that moved out of the window: either way they leave this scope.
            if (GraphInteractionMapper.IsRemoved(e.AdditionalData)) { removed.Add(e.Id); continue; }
            var interaction = mapper.Map(e);
            if (interaction is null && e.Type != EventType.SeriesMaster) skipped++;
            upserts.Add((e.Id, interaction));
        }
        return new FetchedPage<MeetingInteraction>(new GraphPageChanges<MeetingInteraction>(upserts, removed),
            response?.OdataNextLink, response?.OdataDeltaLink, skipped);
    }

    /// <summary>Configured days back/ahead, widened to whole months so the window (and its delta state) changes once a month.</summary>
    internal (DateTimeOffset Start, DateTimeOffset End) CalendarWindow(DateTimeOffset now)
    {
        var start = MonthIndex.Start(MonthIndex.Of(now.AddDays(-options.CalendarDaysBack)));
        var end = MonthIndex.Start(MonthIndex.Of(now.AddDays(options.CalendarDaysAhead)) + 1);
        return (start, end);
    }

    private async Task<StoredMailbox> EnsureMailboxAsync(string mailboxId, CancellationToken ct)
    {
        var existing = await interactions.GetMailboxAsync(mailboxId, ct);
        if (existing is not null) return existing;
        var owners = new List<string>();
        if (EmailAddress.Normalize(mailboxId) is { } named) owners.Add(named);
        else
        {
            // A signed-in user's mailbox is named by their object id: the directory knows their addresses.
            var user = await new UserDirectory(graph).FindAsync(mailboxId, ct)
                ?? throw new ArgumentException($"Mailbox '{mailboxId}' is neither an address nor a user of the tenant.", nameof(mailboxId));
            foreach (var address in new[] { user.Mail, user.UserPrincipalName })
                if (EmailAddress.Normalize(address) is { } a && !owners.Contains(a)) owners.Add(a);
        }
        // The UPN is not always the mail address: Sent Items shows the address the owner really writes from.
        var sent = await TryGetAsync(() => graph.Users[mailboxId].MailFolders["sentitems"].Messages.GetAsync(rc =>
        {
            rc.QueryParameters.Select = ["from"];
            rc.QueryParameters.Top = 10;
        }, ct));
        foreach (var m in sent?.Value ?? [])
            if (EmailAddress.Normalize(m.From?.EmailAddress?.Address) is { } a && !owners.Contains(a)) owners.Add(a);
        var mailbox = new StoredMailbox(mailboxId, owners, null, MessageSource, time.GetUtcNow());
        await interactions.UpsertMailboxAsync(mailbox, ct);
        return mailbox;
    }

    /// <summary>Folders holding real correspondence: everything reachable from the root except the excluded well-known folders and their subfolders.</summary>
    internal async Task<IReadOnlyList<MailFolderInfo>> ListCorrespondenceFoldersAsync(string mailboxId, CancellationToken ct)
    {
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in options.ExcludedWellKnownFolders)
        {
            var folder = await TryGetAsync(() => graph.Users[mailboxId].MailFolders[name].GetAsync(rc => rc.QueryParameters.Select = ["id"], ct));
            if (folder?.Id is { } id) excluded.Add(id);
        }
        string[] select = ["id", "displayName", "parentFolderId", "childFolderCount"];
        var result = new List<MailFolderInfo>();
        var pending = new Queue<(string? ParentId, string ParentPath)>();
        pending.Enqueue((null, ""));
        while (pending.Count > 0)
        {
            var (parentId, parentPath) = pending.Dequeue();
            var page = parentId is null
                ? await graph.Users[mailboxId].MailFolders.GetAsync(rc => { rc.QueryParameters.Select = select; rc.QueryParameters.Top = 250; }, ct)
                : await graph.Users[mailboxId].MailFolders[parentId].ChildFolders.GetAsync(rc => { rc.QueryParameters.Select = select; rc.QueryParameters.Top = 250; }, ct);
            while (page is not null)
            {
                foreach (var f in page.Value ?? [])
                {
                    if (string.IsNullOrEmpty(f.Id) || excluded.Contains(f.Id)) continue;
                    var path = parentPath.Length == 0 ? f.DisplayName ?? f.Id : parentPath + "/" + (f.DisplayName ?? f.Id);
                    result.Add(new MailFolderInfo(f.Id, path));
                    if (f.ChildFolderCount is null or > 0) pending.Enqueue((f.Id, path));
                }
                page = page.OdataNextLink is null ? null
                    : await graph.Users[mailboxId].MailFolders.WithUrl(page.OdataNextLink).GetAsync(cancellationToken: ct);
            }
        }
        return result;
    }

    private static async Task<TResult?> TryGetAsync<TResult>(Func<Task<TResult?>> call) where TResult : class
    {
        try
        {
            return await call();
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            return null;
        }
    }

    internal sealed record MailFolderInfo(string Id, string Path);

    private sealed record FetchedPage<T>(GraphPageChanges<T> Changes, string? NextLink, string? DeltaLink, int Skipped) where T : class;

    private sealed class Run(IProgress<ScanProgress>? progress, Func<int> requests)
    {
        public int Pages, MessagesUpserted, MessagesRemoved, MeetingsUpserted, MeetingsRemoved, Skipped;
        public Func<int> Requests => requests;

        public void Report(string phase, string? scope) =>
            progress?.Report(new ScanProgress(phase, scope, Pages, MessagesUpserted, MeetingsUpserted, requests()));

    }
}
