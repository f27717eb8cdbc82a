using System.Globalization;
using System.Text;
using MailRapport.Core;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Evaluation;

/// <summary>
/// How often the stages agree with the users' own answers to "Is this right?" (<c>mailrapport evaluate --feedback-db</c>):
/// when answered (the stage shown against the answer) and now (the stage stored today against the same answer).
/// </summary>
public static class FeedbackAgreement
{
    public sealed record MailboxAgreement(string Mailbox, int Answers, int Right, int Closer, int Less, int NotAPerson,
        int AgreedWhenAnswered, int AgreeNow, int NoLongerStored);

    /// <summary>Every mailbox with answers, in mailbox order; the answers and today's stages come in one query.</summary>
    public static async Task<IReadOnlyList<MailboxAgreement>> ComputeAsync(ProfileStore profiles, CancellationToken ct = default)
    {
        var result = new List<MailboxAgreement>();
        foreach (var mailbox in (await profiles.AnswersWithStagesAsync(ct)).GroupBy(a => a.MailboxId))
        {
            var answers = mailbox.Select(a => a.Answer).ToList();
            int whenAnswered = 0, now = 0, gone = 0;
            foreach (var (_, a, stored) in mailbox)
            {
                if (StageFeedback.Agrees(a.Answer, a.ShownStage, a.ShownAutomated, a.ShownStage, a.ShownAutomated)) whenAnswered++;
                if (stored is not { } p) { gone++; continue; }
                if (StageFeedback.Agrees(a.Answer, a.ShownStage, a.ShownAutomated, p.Stage, p.Automated)) now++;
            }
            int Count(FeedbackAnswer answer) => answers.Count(x => x.Answer == answer);
            result.Add(new MailboxAgreement(mailbox.Key, answers.Count, Count(FeedbackAnswer.Right), Count(FeedbackAnswer.Closer),
                Count(FeedbackAnswer.Less), Count(FeedbackAnswer.NotAPerson), whenAnswered, now, gone));
        }
        return result;
    }

    public static string ToTable(IReadOnlyList<MailboxAgreement> rows)
    {
        var sb = new StringBuilder();
        static string P(int part, int whole) => whole == 0 ? "n/a" : (part / (double)whole).ToString("0.0%", CultureInfo.InvariantCulture);
        sb.AppendLine("Feedback: the stages against the users' answers to \"Is this right?\"");
        if (rows.Count == 0)
        {
            sb.AppendLine("  No answers stored yet.");
            return sb.ToString();
        }
        sb.AppendLine("| mailbox | answers | right | closer | less | not a person | agreed when answered | agree now |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows.Append(Total(rows)))
            sb.AppendLine($"| {r.Mailbox} | {r.Answers} | {r.Right} | {r.Closer} | {r.Less} | {r.NotAPerson} | " +
                          $"{r.AgreedWhenAnswered} ({P(r.AgreedWhenAnswered, r.Answers)}) | {r.AgreeNow} ({P(r.AgreeNow, r.Answers - r.NoLongerStored)}) |");
        sb.AppendLine("  \"Not a person\" acts as the automated-sender override, so it agrees now by construction; when answered it agrees only");
        sb.AppendLine("  if the model had already set the address apart. Contacts no longer stored are left out of \"agree now\".");
        return sb.ToString();
    }

    private static MailboxAgreement Total(IReadOnlyList<MailboxAgreement> rows) => new("all", rows.Sum(r => r.Answers), rows.Sum(r => r.Right),
        rows.Sum(r => r.Closer), rows.Sum(r => r.Less), rows.Sum(r => r.NotAPerson), rows.Sum(r => r.AgreedWhenAnswered), rows.Sum(r => r.AgreeNow),
        rows.Sum(r => r.NoLongerStored));
}
