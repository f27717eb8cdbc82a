namespace MailRapport.Core.Sample;

public static class SampleMailboxGenerator
{
    public static SampleMailbox Generate(SampleOptions? options = null)
    {
        options ??= new SampleOptions();
        return new SampleMailbox("owner@example.com", "Owner", options.End, [], [], []);
    }
}
