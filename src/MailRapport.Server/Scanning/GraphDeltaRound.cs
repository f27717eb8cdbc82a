using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace MailRapport.Server.Scanning;

/// <summary>One delta page, mapped: what to commit, where the round goes next, and items that were not interactions.</summary>
internal sealed record FetchedPage<T>(GraphPageChanges<T> Changes, string? NextLink, string? DeltaLink, int Skipped) where T : class;

/// <summary>
/// Runs one scope's delta round (a mail folder or the calendar window) to its delta link, committing pages with the
/// link after the last of them, so a killed scan resumes from its last commit; restarts the scope when Graph says its
/// state expired. Pages are held in memory and committed together up to <see cref="Graph.GraphOptions.ItemsPerCommit"/>
/// items: fewer, larger transactions rewrite each index page less often (docs/decisions/024-sqlite-writes.md).
/// </summary>
internal static class GraphDeltaRound
{
    /// <summary>An expired state twice in a row for one scope in one run means something else is wrong; stop and say so.</summary>
    private const int MaxRestartsPerScope = 2;

    public static async Task RunAsync<T>(string mailboxId, GraphItemKind kind, GraphSyncState state, GraphSyncStore sync,
        GraphMailboxScanner.Run run, string label, int itemsPerCommit, Func<string?, Task<FetchedPage<T>>> fetch, CancellationToken ct) where T : class
    {
        int restarts = 0;
        GraphPageChanges<T>? held = null; // fetched pages not yet committed; state is the link after the last of them
        string phase = kind == GraphItemKind.Message ? "mail" : "calendar";
        Task<FetchedPage<T>>? prefetch = null;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (state.DeltaLink is not null && state.NextLink is null && state.FullSync)
                {
                    // Killed between the last page and the sweep: finish the sweep before asking for changes.
                    run.AddRemoved(kind, await sync.FinishFullSyncAsync(mailboxId, kind, state, ct));
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
                    run.Report(phase, label + " (delta state expired: full resync)");
                    held = null; // the new round reads everything again
                    state = await sync.RestartAsync(mailboxId, state, ct);
                    continue;
                }
                if (page.NextLink is null && page.DeltaLink is null)
                    throw new InvalidDataException($"Graph returned a delta page for {label} with neither @odata.nextLink nor @odata.deltaLink.");

                // Ask for the next page while this one is written: the link is all the next request needs.
                if (page.NextLink is not null) prefetch = fetch(page.NextLink);

                state = state with { NextLink = page.NextLink, DeltaLink = page.NextLink is null ? page.DeltaLink : null };
                held = held is null ? page.Changes : Append(held, page.Changes);
                run.Pages++;
                run.Skipped += page.Skipped;
                if (state.NextLink is null || held.Upserts.Count + held.RemovedIds.Count >= itemsPerCommit)
                {
                    var (upserted, removed) = await sync.CommitPageAsync(mailboxId, kind, state, held, ct);
                    held = null;
                    run.AddUpserted(kind, upserted);
                    run.AddRemoved(kind, removed);
                }
                run.Report(phase, label);

                if (state.NextLink is null)
                {
                    if (state.FullSync) run.AddRemoved(kind, await sync.FinishFullSyncAsync(mailboxId, kind, state, ct));
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

    /// <summary>
    /// Two pages' changes as one, in order: a commit applies removals before upserts, so an item upserted on the first
    /// page and removed on the second leaves the upserts (removed before upserted stays upserted, as in two commits).
    /// </summary>
    internal static GraphPageChanges<T> Append<T>(GraphPageChanges<T> first, GraphPageChanges<T> second) where T : class
    {
        if (first.Upserts.Count == 0 && first.RemovedIds.Count == 0) return second;
        var removedLater = second.RemovedIds.Count == 0 ? null : second.RemovedIds.ToHashSet(StringComparer.Ordinal);
        var upserts = new List<(string Id, T? Item)>(first.Upserts.Count + second.Upserts.Count);
        foreach (var u in first.Upserts)
            if (removedLater is null || !removedLater.Contains(u.Id)) upserts.Add(u);
        upserts.AddRange(second.Upserts);
        return new GraphPageChanges<T>(upserts, [.. first.RemovedIds, .. second.RemovedIds]);
    }

    internal static bool IsExpiredSyncState(ApiException ex)
    {
        if (ex.ResponseStatusCode == 410) return true;
        var code = (ex as ODataError)?.Error?.Code;
        return code is not null && (code.Equals("syncStateNotFound", StringComparison.OrdinalIgnoreCase) ||
                                    code.Equals("syncStateInvalid", StringComparison.OrdinalIgnoreCase) ||
                                    code.Equals("resyncRequired", StringComparison.OrdinalIgnoreCase));
    }
}
