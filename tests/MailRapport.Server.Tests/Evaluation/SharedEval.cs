using System.Diagnostics;
using System.Text.Json;
using MailRapport.Server.Tests.Import;
using MailRapport.Server.Tests.Pane;
using MailRapport.Server.Tests.Support;

namespace MailRapport.Server.Tests.Evaluation;

/// <summary>
/// Runs only when ../shared/eval (enron_eval.py, rubric/agree.py) and python3 are on this machine, and, with
/// <see cref="NeedsEnron"/>, the Enron maildir too; skips with a clear message otherwise.
/// </summary>
public sealed class SharedEvalFactAttribute : FactAttribute
{
    public SharedEvalFactAttribute(bool needsEnron = false)
    {
        if (!File.Exists(SharedEval.EnronEvalScript) || !File.Exists(SharedEval.AgreeScript))
            Skip = $"../shared/eval not found at {SharedEval.Root}: the cross-check against enron_eval.py and agree.py is skipped.";
        else if (SharedEval.Python is null)
            Skip = "python3 is not on PATH: the cross-check against enron_eval.py and agree.py is skipped.";
        else if (needsEnron && !Directory.Exists(EnronFactAttribute.Root))
            Skip = $"Enron corpus not found at {EnronFactAttribute.Root}: the cross-check on the dev mailboxes is skipped.";
    }
}

/// <summary>The independent scripts in ../shared/eval, run as they are (with a Python driver that returns their exact numbers).</summary>
public static class SharedEval
{
    public static readonly string Root = SharedFolder.Find("eval", dir => File.Exists(Path.Combine(dir, "enron_eval.py")));
    public static string EnronEvalScript => Path.Combine(Root, "enron_eval.py");
    public static string AgreeScript => Path.Combine(Root, "rubric", "agree.py");
    public static string RubricDir => Path.Combine(Root, "rubric");
    public static readonly string? Python = PaneTestEnvironment.OnPath("python3");

    /// <summary>
    /// enron_eval.py's main once per job (maildir, cutoff, scores file, Interaction Rank half-life: the script's
    /// constant is 30 days); each mailbox is parsed once (load_mailbox memoised), everything else is the script's own path.
    /// </summary>
    private const string EnronEvalDriver = """
        import contextlib, functools, io, json, sys
        sys.path.insert(0, sys.argv[1])
        import enron_eval as e
        e.load_mailbox = functools.lru_cache(maxsize=None)(e.load_mailbox)
        out = []
        for job in json.load(open(sys.argv[2])):
            e.IR_HALF_LIFE_DAYS = float(job["half_life"])
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                e.main(["--maildir", job["maildir"], "--cutoff", job["cutoff"], "--scores", job["scores"], "--json"])
            out.append(json.loads(buf.getvalue()))
        print(json.dumps(out))
        """;

    /// <summary>agree.py run as a script; then its own report() per set and pooled, for the exact kappa and confusion it prints rounded.</summary>
    private const string AgreeDriver = """
        import contextlib, io, json, runpy, sys
        path = sys.argv[1]
        sys.argv = sys.argv[1:]
        with contextlib.redirect_stdout(io.StringIO()):
            g = runpy.run_path(path, run_name="__main__")
            out = {}
            for name, items in list(g["sets"].items()) + [("pooled", [x for s in g["sets"].values() for x in s])]:
                conf, kappa = g["report"](name, items)
                out[name] = {"kappa": kappa, "confusion": {a + "->" + b: n for (a, b), n in conf.items()}}
        print(json.dumps(out))
        """;

    public sealed record EnronEvalJob(string Maildir, DateTime Cutoff, string ScoresFile, double HalfLifeDays);

    /// <summary>The script's --json output for each job, in order.</summary>
    public static async Task<JsonDocument> EnronEvalAsync(IReadOnlyList<EnronEvalJob> jobs, string work)
    {
        var file = Path.Combine(work, "enron-eval-jobs.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(jobs.Select(j => new Dictionary<string, object>
        {
            ["maildir"] = j.Maildir, ["cutoff"] = j.Cutoff.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["scores"] = j.ScoresFile, ["half_life"] = j.HalfLifeDays,
        })));
        return await RunAsync(["-c", EnronEvalDriver, Root, file]);
    }

    public static async Task<JsonDocument> AgreeAsync(string ratingsDir, string cardsRoot, string productDir) =>
        await RunAsync(["-c", AgreeDriver, AgreeScript, ratingsDir, cardsRoot, productDir]);

    private static async Task<JsonDocument> RunAsync(string[] args)
    {
        var psi = new ProcessStartInfo(Python!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"python3 failed: {await stderr}");
        return JsonDocument.Parse(await stdout);
    }
}
