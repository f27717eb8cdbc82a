using System.Text.Json;
using MailRapport.Core;
using MailRapport.Server.Hosting;
using MailRapport.Server.Import;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Evaluation;

public sealed record EvaluationRequest
{
    /// <summary>The maildir root holding one folder per mailbox (../shared/data/enron/maildir).</summary>
    public required string Maildir { get; init; }
    /// <summary>The rubric folder: <c>*/key.json</c> (which mailbox, as of when, which card is which address) and <c>*rater-*.csv</c>.</summary>
    public required string RubricDir { get; init; }
    /// <summary>Mailboxes to evaluate; empty means the ones the rubric sets name.</summary>
    public IReadOnlyList<string> Mailboxes { get; init; } = [];
    /// <summary>Cutoffs (00:00 UTC) for every mailbox; empty means every month start with at least <see cref="MinPositives"/> positives.</summary>
    public IReadOnlyList<DateTime> Cutoffs { get; init; } = [];
    public int HorizonDays { get; init; } = 180;
    public int MinPositives { get; init; } = 5;
    /// <summary>SQLite file the mailboxes are imported into; null means a temporary file, deleted afterwards.</summary>
    public string? DbPath { get; init; }
}

public sealed record MailboxInfo(string Mailbox, IReadOnlyList<string> Owners, IReadOnlyList<string> ProductOwners, int Files, int Duplicates,
    int Skipped, int Messages, int ProductMessages, DateTime? First, DateTime? Last);

public sealed record StageCount(string Stage, int Ties, int Positives)
{
    public double Rate => Ties == 0 ? 0 : (double)Positives / Ties;
}

/// <summary>One mailbox at one cutoff; AUCs keyed by <see cref="EvaluationRunner.Rankings"/>, null when a class is empty.</summary>
public sealed record CutoffResult(string Mailbox, DateTime Cutoff, int Candidates, int Positives, IReadOnlyDictionary<string, double?> Auc,
    int Scored, int MissingCandidates, int MissingPositives, double MissingScore, IReadOnlyList<StageCount> Stages);

public sealed record PooledResult(int Cutoffs, int Candidates, int Positives, IReadOnlyDictionary<string, double?> Auc, IReadOnlyList<StageCount> Stages,
    EvidenceCeiling Ceiling);

/// <summary>
/// How many (tie, cutoff) rows the mail itself could support beyond Contact, whatever the model: RUBRIC.md calls
/// "only a message or two each way" Contact, and a Relationship needs an exchange sustained across months. Counted
/// from the reference reading, so it bounds every model's stage counts on these cutoffs.
/// </summary>
public sealed record EvidenceCeiling(int ThreeEachWay, int FiveEachWay, int ThreeEachWayTwoWayInTwoMonths, int ThreeEachWayTwoWayInThreeMonths);

public sealed record RubricResult(string RatingsDir, IReadOnlyList<RubricSetResult> Sets, Agreement Pooled);

/// <summary>One set's agreement, and the cards where the product and the raters' majority differ (read them in the set's cards.md).</summary>
public sealed record RubricSetResult(string Set, string Mailbox, DateTime Cutoff, Agreement Agreement, IReadOnlyList<CardDisagreement> Disagreements);

public sealed record CardDisagreement(string CardId, string Address, string Majority, string Product);

public sealed record EvaluationResult(int HorizonDays, IReadOnlyList<MailboxInfo> Mailboxes, IReadOnlyList<CutoffResult> Cutoffs, PooledResult Pooled,
    RubricResult? Rubric, IReadOnlyList<string> Notes);

/// <summary>
/// The evaluation behind <c>mailrapport evaluate</c> (docs/evaluation.md). Labels, candidates and baselines come from
/// <see cref="ReferenceMailbox"/> (enron_eval.py's reading of the mail); strength and stage come from the product as
/// <c>mailrapport import</c> + <c>contacts --as-of CUTOFF --format json</c> give them, joined by address the way the
/// script joins <c>--scores</c> (a candidate the product does not list gets the lowest listed score, stage "(missing)").
/// The rubric check uses <c>--include-automated</c>, as agree.py's README asks.
/// </summary>
public static class EvaluationRunner
{
    /// <summary>The rankings compared, strength first; names as in enron_eval.py's JSON where it has them.</summary>
    public static readonly string[] Rankings = ["strength", "total_count", "recency", "two_way", "interaction_rank_30d", "interaction_rank_60d"];

    private static double Baseline(Candidate c, string ranking) => ranking switch
    {
        "total_count" => c.TotalCount,
        "recency" => c.Recency,
        "two_way" => c.TwoWay,
        "interaction_rank_30d" => c.InteractionRank30,
        "interaction_rank_60d" => c.InteractionRank60,
        _ => throw new ArgumentOutOfRangeException(nameof(ranking)),
    };

    public static async Task<EvaluationResult> RunAsync(EvaluationRequest request, TextWriter? progress = null, CancellationToken ct = default)
    {
        var notes = new List<string>();
        var sets = Directory.Exists(request.RubricDir) ? RubricAgreement.LoadSets(request.RubricDir) : [];
        if (!Directory.Exists(request.RubricDir)) notes.Add($"no rubric folder at {request.RubricDir}: rubric agreement skipped");
        var mailboxes = request.Mailboxes.Count > 0 ? request.Mailboxes : sets.Select(s => s.Maildir).Distinct().ToList();
        if (mailboxes.Count == 0) throw new InvalidDataException($"No mailboxes to evaluate: {request.RubricDir} names none (no */key.json); pass --mailboxes.");

        var dbPath = request.DbPath ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mailrapport-evaluate-{Guid.NewGuid():N}.db");
        try
        {
            // The command's host on that file: the service's store, stage model and importer.
            await using var host = await CommandHost.OpenAsync(dbPath, ct);
            var interactions = host.Services.GetRequiredService<InteractionStore>();
            var profiles = host.Profiles;
            var importer = host.Services.GetRequiredService<MailImporter>();
            var infos = new List<MailboxInfo>();
            var cutoffs = new List<(CutoffResult Result, List<ScoredRow> Rows)>();
            var imported = new HashSet<string>(StringComparer.Ordinal);

            async Task<bool> ImportAsync(string mailbox)
            {
                if (imported.Contains(mailbox)) return true;
                var path = System.IO.Path.Combine(request.Maildir, mailbox);
                if (!Directory.Exists(path)) { notes.Add($"{mailbox}: no folder {path}, skipped"); return false; }
                progress?.WriteLine($"importing {mailbox} ...");
                await importer.ImportAsync(new ImportRequest { Path = path, MailboxId = mailbox }, ct: ct);
                imported.Add(mailbox);
                return true;
            }

            foreach (var mailbox in mailboxes)
            {
                if (!await ImportAsync(mailbox)) continue;
                progress?.WriteLine($"reading {mailbox} as enron_eval.py does ...");
                var reference = ReferenceMailbox.Load(System.IO.Path.Combine(request.Maildir, mailbox));
                var owners = reference.Owners.ToHashSet(StringComparer.Ordinal);
                var stored = (await interactions.GetMailboxAsync(mailbox, ct))!;
                int productMessages = 0;
                await foreach (var i in interactions.ReadInteractionsAsync(mailbox, ct: ct)) if (i.Message is not null) productMessages++;
                var times = reference.Messages.Select(m => m.Timestamp).ToList();
                infos.Add(new MailboxInfo(mailbox, reference.Owners, stored.OwnerAddresses.ToList(), reference.Files, reference.Duplicates, reference.Skipped,
                    reference.Messages.Count, productMessages, times.Count > 0 ? times.Min() : null, times.Count > 0 ? times.Max() : null));
                if (owners.Count == 0) { notes.Add($"{mailbox}: no sent folder to find the owner in, skipped"); continue; }

                var dates = request.Cutoffs.Count > 0 ? request.Cutoffs : MonthStarts(reference, owners, request);
                if (dates.Count == 0) notes.Add($"{mailbox}: no month start with at least {request.MinPositives} positives");
                foreach (var cutoff in dates)
                {
                    var candidates = FutureReciprocity.Build(reference.Messages, owners, cutoff, request.HorizonDays);
                    var listed = (await profiles.ComputeAsync(mailbox, new DateTimeOffset(cutoff), ct)).Where(p => !p.Flags.HasFlag(ContactFlags.Automated));
                    cutoffs.Add(Score(mailbox, cutoff, candidates, ScoresAsListed(listed)));
                }
            }

            RubricResult? rubric = null;
            if (sets.Count > 0)
            {
                var ratings = RubricAgreement.LoadRatings(request.RubricDir);
                var results = new List<RubricSetResult>();
                var all = new List<RatedCard>();
                foreach (var set in sets)
                {
                    if (!await ImportAsync(set.Maildir)) { notes.Add($"rubric set {set.Name}: mailbox {set.Maildir} absent, left out"); continue; }
                    var stages = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var p in await profiles.ComputeAsync(set.Maildir, new DateTimeOffset(set.Cutoff), ct))
                        stages[PythonText.Lower(p.Address)] = PythonText.Lower(StageName(p.Stage));
                    var cards = set.Cards.Select(c => new RatedCard(set.Name, c.CardId, c.Address, ratings.GetValueOrDefault(c.CardId) ?? [],
                        stages.GetValueOrDefault(PythonText.Lower(c.Address), RubricAgreement.Missing))).ToList();
                    all.AddRange(cards);
                    var disagreements = cards.Where(c => c.Ratings.Count >= 2).Select(c => new CardDisagreement(c.CardId, c.Address, RubricAgreement.MajorityOf(c.Ratings), c.Product))
                        .Where(d => d.Majority != d.Product).ToList();
                    results.Add(new RubricSetResult(set.Name, set.Maildir, set.Cutoff, RubricAgreement.Compare(set.Name, cards), disagreements));
                }
                rubric = new RubricResult(request.RubricDir, results, RubricAgreement.Compare("pooled", all));
            }

            var pooledRows = cutoffs.SelectMany(c => c.Rows).ToList();
            var pooled = new PooledResult(cutoffs.Count, pooledRows.Count, pooledRows.Count(r => r.Candidate.Positive), Aucs(pooledRows),
                StageCounts(pooledRows), Ceiling(pooledRows));
            return new EvaluationResult(request.HorizonDays, infos, cutoffs.Select(c => c.Result).ToList(), pooled, rubric, notes);
        }
        finally
        {
            if (request.DbPath is null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { dbPath, dbPath + "-wal", dbPath + "-shm" }) File.Delete(f);
            }
        }
    }

    /// <summary>The stage as <c>contacts --format json</c> writes it.</summary>
    public static string StageName(Stage stage) => JsonNamingPolicy.CamelCase.ConvertName(stage.ToString());

    /// <summary>enron_eval.py's load_scores over the listed profiles: address stripped and lower-cased, the higher score of a duplicate kept.</summary>
    private static Dictionary<string, (double Score, string Stage)> ScoresAsListed(IEnumerable<ContactProfile> listed)
    {
        var scores = new Dictionary<string, (double Score, string Stage)>(StringComparer.Ordinal);
        foreach (var p in listed)
        {
            var address = PythonText.Lower(PythonText.Strip(p.Address));
            if (scores.TryGetValue(address, out var seen) && p.Strength <= seen.Score) continue;
            scores[address] = (p.Strength, StageName(p.Stage));
        }
        return scores;
    }

    /// <summary>A candidate with the product's strength and stage (the floor and "(missing)" when the product does not list it).</summary>
    private sealed record ScoredRow(Candidate Candidate, double Strength, string Stage);

    private static (CutoffResult, List<ScoredRow>) Score(string mailbox, DateTime cutoff, IReadOnlyList<Candidate> candidates,
        Dictionary<string, (double Score, string Stage)> scores)
    {
        double floor = scores.Count == 0 ? 0.0 : scores.Values.Min(s => s.Score);
        var rows = candidates.Select(c => scores.TryGetValue(c.Address, out var s)
            ? new ScoredRow(c, s.Score, s.Stage)
            : new ScoredRow(c, floor, RubricAgreement.Missing)).ToList();
        var missing = candidates.Where(c => !scores.ContainsKey(c.Address)).ToList();
        var result = new CutoffResult(mailbox, cutoff, candidates.Count, candidates.Count(c => c.Positive), Aucs(rows), scores.Count,
            missing.Count, missing.Count(c => c.Positive), floor, StageCounts(rows));
        return (result, rows);
    }

    private static Dictionary<string, double?> Aucs(IReadOnlyList<ScoredRow> rows)
    {
        var labels = rows.Select(r => r.Candidate.Positive).ToList();
        return Rankings.ToDictionary(r => r, r => RocAuc.Compute(rows.Select(x => r == "strength" ? x.Strength : Baseline(x.Candidate, r)).ToList(), labels));
    }

    private static List<StageCount> StageCounts(IEnumerable<ScoredRow> rows) =>
        rows.GroupBy(r => r.Stage).Select(g => new StageCount(g.Key, g.Count(), g.Count(r => r.Candidate.Positive)))
            .OrderBy(s => StageOrder(s.Stage)).ThenBy(s => s.Stage, StringComparer.Ordinal).ToList();

    private static EvidenceCeiling Ceiling(IReadOnlyList<ScoredRow> rows)
    {
        var eachWay3 = rows.Where(r => r.Candidate.TwoWay >= 3).ToList();
        return new EvidenceCeiling(eachWay3.Count, rows.Count(r => r.Candidate.TwoWay >= 5),
            eachWay3.Count(r => r.Candidate.TwoWayMonths >= 2), eachWay3.Count(r => r.Candidate.TwoWayMonths >= 3));
    }

    private static int StageOrder(string stage) => Enum.TryParse<Stage>(stage, ignoreCase: true, out var s) ? (int)s : int.MaxValue;

    /// <summary>Month starts (UTC) after the first message and before the last whose window holds enough positives.</summary>
    private static List<DateTime> MonthStarts(ReferenceMailbox mailbox, HashSet<string> owners, EvaluationRequest request)
    {
        var result = new List<DateTime>();
        if (mailbox.Messages.Count == 0) return result;
        var first = mailbox.Messages.Min(m => m.Timestamp);
        var last = mailbox.Messages.Max(m => m.Timestamp);
        for (var m = new DateTime(first.Year, first.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1); m < last; m = m.AddMonths(1))
            if (FutureReciprocity.Build(mailbox.Messages, owners, m, request.HorizonDays).Count(c => c.Positive) >= request.MinPositives)
                result.Add(m);
        return result;
    }
}
