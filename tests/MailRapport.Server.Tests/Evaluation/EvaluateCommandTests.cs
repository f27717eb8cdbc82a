using MailRapport.Server.Evaluation;
using MailRapport.Server.Tests.Import;

namespace MailRapport.Server.Tests.Evaluation;

public sealed class EvaluateCommandTests
{
    [Fact]
    public async Task Imports_a_maildir_and_reports_auc_per_cutoff_and_pooled()
    {
        using var dir = new TempFolder();
        int n = 0;
        for (int month = 1; month <= 12; month++)
            for (int p = 0; p < 8; p++)
            {
                // p0-p5 answer every month; p6 and p7 only write and are never answered.
                var day = new DateTimeOffset(2001, month, 3 + p, 9, 0, 0, TimeSpan.Zero);
                if (p < 6)
                    dir.Write($"u/sent/{++n}.", $"Date: {day:r}\nFrom: me@corp.com\nTo: p{p}@corp.com\nSubject: topic {month}\n\nx\n");
                dir.Write($"u/inbox/{++n}.", $"Date: {day.AddHours(3):r}\nFrom: p{p}@corp.com\nTo: me@corp.com\nSubject: RE: topic {month}\n\nx\n");
            }
        var report = await EvaluateCommand.RunAsync(dir.Path, ["u", "absent-user"], Path.Combine(dir.Path, "eval.db"), CancellationToken.None);

        Assert.Contains("| u | 2001-02-01 | 8 | 6 |", report);   // 8 ties known before the cutoff, 6 two-way afterwards
        Assert.Contains("| **pooled** | all |", report);
        Assert.Contains("absent-user: not found, skipped", report);
        Assert.Contains("owners me@corp.com", report);
        Assert.Contains("### Share still two-way in the next 180 days, by stage at the cutoff", report);
    }
}
