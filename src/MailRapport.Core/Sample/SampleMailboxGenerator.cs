namespace MailRapport.Core.Sample;

/// <summary>
/// Builds a deterministic synthetic mailbox: about two years of one owner's mail and calendar with correspondents
/// drawn from personas (<see cref="SamplePersonaScripts"/>), each meant to show one stage. Same seed and end, same mailbox. Like a real mailbox it is
/// incomplete (received mail is kept only for the last months, <see cref="SampleOptions.ReceivedKeptMonths"/>), and
/// has people who answer by meeting and answers that are slow once.
/// </summary>
public static class SampleMailboxGenerator
{
    public const string OwnerAddress = "alex.morgan@contoso.example";
    public const string OwnerName = "Alex Morgan";

    public static SampleMailbox Generate(SampleOptions? options = null)
    {
        options ??= new SampleOptions();
        var mail = new SampleMailWriter(options);
        var cast = new SamplePersonaScripts(options, mail);
        cast.Run();
        // The inbox's retention policy: received mail older than the kept months is gone; sent mail stays.
        var receivedFrom = options.ReceivedKeptMonths is { } kept ? options.End.ToUniversalTime().AddMonths(-kept) : DateTimeOffset.MinValue;
        return new SampleMailbox(OwnerAddress, OwnerName, options.End,
            mail.Messages.Where(m => m.Direction == Direction.Outgoing || m.Timestamp >= receivedFrom).OrderBy(m => m.Timestamp).ThenBy(m => m.Key, StringComparer.Ordinal).ToList(),
            mail.Meetings.OrderBy(m => m.Start).ThenBy(m => m.Key, StringComparer.Ordinal).ToList(),
            cast.Personas);
    }
}
