using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace MailRapport.Server.Scanning;

/// <summary>One delta page, mapped: what to commit, where the round goes next, and items that were not interactions.</summary>
internal sealed record FetchedPage<T>(GraphPageChanges<T> Changes, string? NextLink, string? DeltaLink, int Skipped) where T : class;

/// <summary>
/// Runs one scope's delta round (a mail folder or the calendar window) to its delta link, committing page by page
/// with the link, so a killed scan resumes exactly; restarts the scope when Graph says its state expired.
/// </summary>
internal static class GraphDeltaRound
{
    /// <summary>An expired state twice in a row for one scope in one run means something else is wrong; stop and say so.</summary>
    private const int MaxRestartsPerScope = 2;

    public static async Task RunAsync<T>(string mailboxId, GraphItemKind kind, GraphSyncState state, GraphSyncStore sync,
        GraphMailboxScanner.Run run, string label, Func<string?, Task<FetchedPage<T>>> fetch, CancellationToken ct) where T : class
    {
        int restarts = 0;
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
                run.AddUpserted(kind, upserted);
                run.AddRemoved(kind, removed);
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

    internal static bool IsExpiredSyncState(ApiException ex)
    {
        if (ex.ResponseStatusCode == 410) return true;
        var code = (ex as ODataError)?.Error?.Code;
        return code is not null && (code.Equals("syncStateNotFound", StringComparison.OrdinalIgnoreCase) ||
                                    code.Equals("syncStateInvalid", StringComparison.OrdinalIgnoreCase) ||
                                    code.Equals("resyncRequired", StringComparison.OrdinalIgnoreCase));
    }
}
