using System.Globalization;
using System.Text.Json;
using MailRapport.Server.Tests.Import;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Evaluation;

public sealed class EvaluateCommandTests
{
    private const string Owner = "me@corp.com";

    /// <summary>
    /// Mailbox "u" as of 2001-07-01: a (both ways before and after), b (writes, never answered), c (written to once,
    /// then both ways), d (both ways before, silent after). One message also sits in all_documents as a copy.
    /// </summary>
    private static void WriteMailbox(TempFolder dir, bool awkward = false)
    {
        int n = 0;
        void Mail(string folder, DateTimeOffset at, string from, string to, string subject, string? extra = null) =>
            dir.Write($"u/{folder}/{++n}.", $"Message-ID: <{n}@test>\nDate: {at.ToString("r", CultureInfo.InvariantCulture)}\nFrom: {from}\nTo: {to}\n{extra}Subject: {subject}\n\nbody {subject}\n");
        var t0 = new DateTimeOffset(2001, 1, 10, 9, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < 3; i++)
        {
            Mail("sent", t0.AddMonths(i), Owner, "a@corp.com", $"plan {i}");
            Mail("inbox", t0.AddMonths(i).AddHours(2), "a@corp.com", Owner, $"RE: plan {i}");
        }
        Mail("inbox", t0.AddDays(3), "b@corp.com", Owner, "offer 1");
        Mail("inbox", t0.AddDays(40), "b@corp.com", Owner, "offer 2");
        Mail("sent", t0.AddDays(50), Owner, "c@corp.com", "hello");
        Mail("sent", t0.AddDays(60), Owner, "d@corp.com", "review");
        Mail("inbox", t0.AddDays(61), "d@corp.com", Owner, "RE: review");
        dir.Write("u/all_documents/copy.", File.ReadAllText(Path.Combine(dir.Path, "u", "sent", "1.")).Replace("<1@test>", "<copy@test>"));
        var after = new DateTimeOffset(2001, 8, 1, 9, 0, 0, TimeSpan.Zero);
        Mail("sent", after, Owner, "a@corp.com", "later");
        Mail("inbox", after.AddHours(1), "a@corp.com", Owner, "RE: later");
        Mail("inbox", after.AddDays(2), "b@corp.com", Owner, "offer 3");
        Mail("sent", after.AddDays(3), Owner, "c@corp.com", "again");
        Mail("inbox", after.AddDays(4), "c@corp.com", Owner, "RE: again");
        if (!awkward) return;
        // What real mail has: Cc, folded headers, CRLF files, a broken date, no sender, a second owner address, lists.
        Mail("sent", t0.AddDays(5), Owner, "a@corp.com,\n\t\"Lee, Kim\" <Kim.Lee@Corp.com>", "folded", "Cc: e@corp.com, f@corp.com\n");
        Mail("inbox", t0.AddDays(6), "kim.lee@corp.com", $"{Owner}, list@corp.com", "RE: folded");
        Mail("inbox", t0.AddDays(7), "e@corp.com", "list@corp.com", "to the list");
        dir.Write("u/inbox/crlf.", "Message-ID: <crlf@test>\r\nDate: Thu, 15 Mar 2001 10:00:00 -0800 (PST)\r\nFrom: f@corp.com\r\nTo: me@corp.com\r\nSubject: crlf\r\n\r\nx\r\n");
        dir.Write("u/inbox/baddate.", "Message-ID: <bad@test>\nDate: someday\nFrom: g@corp.com\nTo: me@corp.com\nSubject: x\n\nx\n");
        dir.Write("u/inbox/nofrom.", "Message-ID: <nofrom@test>\nDate: Thu, 15 Mar 2001 10:00:00 +0000\nTo: me@corp.com\nSubject: x\n\nx\n");
        for (int i = 0; i < 3; i++) Mail("sent_items", t0.AddDays(70 + i), "me2@corp.com", "e@corp.com", $"alias {i}");
        Mail("inbox", after.AddDays(5), "e@corp.com", "me2@corp.com", "RE: alias");
        Mail("sent", after.AddDays(6), Owner, "e@corp.com", "to e");
        Mail("inbox", new DateTimeOffset(2001, 4, 2, 0, 0, 0, TimeSpan.Zero), "h@corp.com", Owner, "spring");
        Mail("sent", new DateTimeOffset(2001, 4, 3, 0, 0, 0, TimeSpan.Zero), Owner, "h@corp.com", "RE: spring");
    }

    /// <summary>A rubric folder for mailbox u: one tie broken by the first rater, one address the product cannot know.</summary>
    private static string WriteRubric(TempFolder dir)
    {
        dir.Write("rubric/dev-u/key.json", """{"maildir": "u", "cutoff": "2001-07-01", "owners": ["me@corp.com"], "key": {"U1": "a@corp.com", "U2": "d@corp.com", "U3": "nobody@nowhere.com", "U4": "b@corp.com"}}""");
        dir.Write("rubric/ratings-rater-1.csv", "U1,Rapport,2\nU2,Contact,3\nU3,Relationship,3\nU4,Contact,3\n");
        dir.Write("rubric/ratings-rater-2.csv", "U1,Contact,2\nU2,Contact,3\nU3,Relationship,3\nU4,Contact,3\n");
        dir.Write("rubric/ratings-rater-3.csv", "U1,Relationship,1\nU2,Rapport,2\nU3,Relationship,3\nU4,Contact,3\n");
        return Path.Combine(dir.Path, "rubric");
    }

    [Fact]
    public async Task A_hand_made_mailbox_gives_the_labels_baselines_and_rubric_counts_worked_out_by_hand()
    {
        using var dir = new TempFolder();
        WriteMailbox(dir);
        var rubric = WriteRubric(dir);

        var run = await CliRunner.RunAsync(dir.Path, "evaluate", "--maildir", dir.Path, "--rubric", rubric, "--cutoffs", "2001-07-01", "--format", "json");
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(run.Out);
        var cutoff = Assert.Single(doc.RootElement.GetProperty("cutoffs").EnumerateArray());
        Assert.Equal(4, cutoff.GetProperty("candidates").GetInt32());  // a, b, c, d; the all_documents copy is one message
        Assert.Equal(2, cutoff.GetProperty("positives").GetInt32());   // a and c wrote both ways after the cutoff
        var auc = cutoff.GetProperty("auc");
        Assert.Equal(0.5, auc.GetProperty("total_count").GetDouble(), 12);   // c=1+ < b=d=2- < a=6+
        Assert.Equal(0.625, auc.GetProperty("two_way").GetDouble(), 12);     // b=c=0 (one each), d=1-, a=3+
        Assert.Equal(0.5, auc.GetProperty("recency").GetDouble(), 12);       // b- (Feb 19) < c+ (Mar 1) < a+ (Mar 10) < d- (Mar 12)
        Assert.Equal(JsonValueKind.Number, auc.GetProperty("strength").ValueKind);
        var mailbox = Assert.Single(doc.RootElement.GetProperty("mailboxes").EnumerateArray());
        Assert.Equal(1, mailbox.GetProperty("duplicates").GetInt32());
        Assert.Equal([Owner], mailbox.GetProperty("owners").EnumerateArray().Select(o => o.GetString()));

        var pooled = doc.RootElement.GetProperty("rubric").GetProperty("pooled");
        Assert.Equal(4, pooled.GetProperty("cards").GetInt32());
        var majority = pooled.GetProperty("majority");
        Assert.Equal(1, majority.GetProperty("rapport").GetInt32());   // U1: a three-way tie goes to rater 1's label
        Assert.Equal(2, majority.GetProperty("contact").GetInt32());
        Assert.Contains(pooled.GetProperty("confusion").EnumerateArray(),
            c => c.GetProperty("majority").GetString() == "relationship" && c.GetProperty("product").GetString() == "(missing)");

        var table = await CliRunner.RunAsync(dir.Path, "evaluate", "--maildir", dir.Path, "--rubric", rubric, "--cutoffs", "2001-07-01");
        Assert.Contains("| u | 2001-07-01 | 4 | 2 |", table.Out);
        Assert.Contains("Confusion, pooled", table.Out);
    }

    [Fact]
    public async Task A_missing_maildir_is_one_clear_line()
    {
        using var dir = new TempFolder();
        var run = await CliRunner.RunAsync(dir.Path, "evaluate", "--maildir", Path.Combine(dir.Path, "absent"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("absent: no maildir there", run.Error);
    }

    [SharedEvalFact]
    public async Task Agrees_with_enron_eval_and_agree_py_on_a_hand_made_mailbox()
    {
        using var dir = new TempFolder();
        WriteMailbox(dir, awkward: true);
        var rubric = WriteRubric(dir);
        var run = await CliRunner.RunAsync(dir.Path, "evaluate", "--maildir", dir.Path, "--rubric", rubric, "--cutoffs", "2001-04-01", "2001-07-01", "--format", "json");
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(run.Out);
        var compared = await AssertAgreesWithScriptsAsync(doc.RootElement, dir.Path, rubric, dir.Path);
        Assert.Equal(2, compared);
        var owners = doc.RootElement.GetProperty("mailboxes")[0].GetProperty("owners").EnumerateArray().Select(o => o.GetString());
        Assert.Equal([Owner, "me2@corp.com"], owners); // sent_items' majority sender is an alias, as the script infers
    }

    [SharedEvalFact(needsEnron: true)]
    public async Task Agrees_with_enron_eval_and_agree_py_on_the_dev_mailboxes()
    {
        using var dir = new TempFolder();
        var run = await CliRunner.RunAsync(dir.Path, "evaluate", "--maildir", EnronFactAttribute.Root, "--rubric", SharedEval.RubricDir, "--format", "json");
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(run.Out);
        var compared = await AssertAgreesWithScriptsAsync(doc.RootElement, EnronFactAttribute.Root, SharedEval.RubricDir, dir.Path);
        Assert.True(compared >= 10, $"only {compared} cutoffs evaluated");
        Assert.Equal(91, doc.RootElement.GetProperty("rubric").GetProperty("pooled").GetProperty("cards").GetInt32());
    }

    /// <summary>
    /// The README pipelines: `import` + `contacts --as-of CUTOFF --format json` into enron_eval.py --scores (at 30 and 60
    /// days' half-life) for every cutoff, and `contacts --include-automated` into agree.py for every rubric set; every
    /// number the evaluation printed must be the scripts' number. Returns the number of cutoffs compared.
    /// </summary>
    private static async Task<int> AssertAgreesWithScriptsAsync(JsonElement result, string maildir, string rubric, string work)
    {
        var mailboxes = result.GetProperty("mailboxes").EnumerateArray().Select(m => m.GetProperty("mailbox").GetString()!).ToList();
        foreach (var m in mailboxes)
        {
            var import = await CliRunner.RunAsync(work, "import", Path.Combine(maildir, m), "--db", Path.Combine(work, m + ".db"));
            Assert.True(import.ExitCode == 0, import.Error);
        }
        var cutoffs = result.GetProperty("cutoffs").EnumerateArray().ToList();
        var jobs = new List<SharedEval.EnronEvalJob>();
        foreach (var c in cutoffs)
        {
            var mailbox = c.GetProperty("mailbox").GetString()!;
            var cutoff = c.GetProperty("cutoff").GetDateTime();
            var day = cutoff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var contacts = await CliRunner.RunAsync(work, "contacts", "--db", Path.Combine(work, mailbox + ".db"), "--as-of", day, "--format", "json");
            Assert.True(contacts.ExitCode == 0, contacts.Error);
            var scores = Path.Combine(work, $"scores-{mailbox}-{day}.json");
            using (var listed = JsonDocument.Parse(contacts.Out))
                await File.WriteAllTextAsync(scores, JsonSerializer.Serialize(listed.RootElement.EnumerateArray().Select(p => new
                {
                    address = p.GetProperty("address").GetString(),
                    score = p.GetProperty("strength").GetDouble(),
                    stage = p.GetProperty("stage").GetString(),
                })));
            jobs.Add(new(Path.Combine(maildir, mailbox), cutoff, scores, 30));
            jobs.Add(new(Path.Combine(maildir, mailbox), cutoff, scores, 60));
        }
        using var scripts = await SharedEval.EnronEvalAsync(jobs, work);
        var expectedPooled = new Dictionary<string, (int Ties, int Positives)>();
        for (int i = 0; i < cutoffs.Count; i++)
        {
            var c = cutoffs[i];
            var py = scripts.RootElement[2 * i];
            var at60 = scripts.RootElement[2 * i + 1];
            var where = $"{c.GetProperty("mailbox").GetString()} {c.GetProperty("cutoff").GetDateTime():yyyy-MM-dd}";
            Assert.True(py.GetProperty("candidates").GetInt32() == c.GetProperty("candidates").GetInt32(), $"{where}: candidates");
            Assert.True(py.GetProperty("positives").GetInt32() == c.GetProperty("positives").GetInt32(), $"{where}: positives");
            var auc = c.GetProperty("auc");
            AssertSame(py.GetProperty("auc").GetProperty("scores"), auc.GetProperty("strength"), $"{where}: strength");
            foreach (var b in new[] { "total_count", "recency", "two_way" })
                AssertSame(py.GetProperty("auc").GetProperty(b), auc.GetProperty(b), $"{where}: {b}");
            AssertSame(py.GetProperty("auc").GetProperty("interaction_rank"), auc.GetProperty("interaction_rank_30d"), $"{where}: IR 30d");
            AssertSame(at60.GetProperty("auc").GetProperty("interaction_rank"), auc.GetProperty("interaction_rank_60d"), $"{where}: IR 60d");
            var pyScores = py.GetProperty("scores");
            Assert.True(pyScores.GetProperty("missing_candidates").GetInt32() == c.GetProperty("missingCandidates").GetInt32(), $"{where}: unscored");
            var pyStages = pyScores.GetProperty("stage_positive_rate").EnumerateObject()
                .ToDictionary(s => s.Name, s => (s.Value.GetProperty("n").GetInt32(), s.Value.GetProperty("positives").GetInt32()));
            var stages = c.GetProperty("stages").EnumerateArray()
                .ToDictionary(s => s.GetProperty("stage").GetString()!, s => (s.GetProperty("ties").GetInt32(), s.GetProperty("positives").GetInt32()));
            Assert.Equal(pyStages.OrderBy(kv => kv.Key), stages.OrderBy(kv => kv.Key));
            foreach (var (stage, (n, p)) in pyStages)
                expectedPooled[stage] = (expectedPooled.GetValueOrDefault(stage).Ties + n, expectedPooled.GetValueOrDefault(stage).Positives + p);
        }
        int compared = cutoffs.Count;
        var pooledStages = result.GetProperty("pooled").GetProperty("stages").EnumerateArray()
            .ToDictionary(s => s.GetProperty("stage").GetString()!, s => (s.GetProperty("ties").GetInt32(), s.GetProperty("positives").GetInt32()));
        Assert.Equal(expectedPooled.OrderBy(kv => kv.Key), pooledStages.OrderBy(kv => kv.Key));

        var products = Path.Combine(work, "rubric-products");
        Directory.CreateDirectory(products);
        var rubricResult = result.GetProperty("rubric");
        foreach (var set in rubricResult.GetProperty("sets").EnumerateArray())
        {
            var mailbox = set.GetProperty("mailbox").GetString()!;
            var day = set.GetProperty("cutoff").GetDateTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var contacts = await CliRunner.RunAsync(work, "contacts", "--db", Path.Combine(work, mailbox + ".db"), "--as-of", day, "--format", "json", "--include-automated");
            Assert.True(contacts.ExitCode == 0, contacts.Error);
            await File.WriteAllTextAsync(Path.Combine(products, $"prod-{mailbox}.json"), contacts.Out);
        }
        using var agree = await SharedEval.AgreeAsync(rubric, rubric, products);
        foreach (var (name, mine) in rubricResult.GetProperty("sets").EnumerateArray().Select(s => (s.GetProperty("set").GetString()!, s.GetProperty("agreement")))
                     .Append(("pooled", rubricResult.GetProperty("pooled"))))
        {
            var py = agree.RootElement.GetProperty(name);
            AssertSame(py.GetProperty("kappa"), mine.GetProperty("cohenKappa"), $"rubric {name}: kappa");
            var pyConfusion = py.GetProperty("confusion").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()).OrderBy(kv => kv.Key);
            var confusion = mine.GetProperty("confusion").EnumerateArray()
                .ToDictionary(x => x.GetProperty("majority").GetString() + "->" + x.GetProperty("product").GetString(), x => x.GetProperty("count").GetInt32()).OrderBy(kv => kv.Key);
            Assert.Equal(pyConfusion, confusion);
        }
        return compared;
    }

    private static void AssertSame(JsonElement python, JsonElement mine, string what)
    {
        if (python.ValueKind == JsonValueKind.Null) { Assert.True(mine.ValueKind == JsonValueKind.Null, $"{what}: the script has no value, evaluate has {mine}"); return; }
        Assert.True(mine.ValueKind == JsonValueKind.Number, $"{what}: the script has {python}, evaluate has none");
        Assert.True(Math.Abs(python.GetDouble() - mine.GetDouble()) < 1e-9, $"{what}: script {python.GetDouble():R}, evaluate {mine.GetDouble():R}");
    }
}
