namespace MailRapport.Core.Tests;

/// <summary>The rules both sources (Graph and imported files) share, each pinned by its table.</summary>
public sealed class SubjectTests
{
    [Theory]
    [InlineData("RE: Budget", true)]
    [InlineData("re:Budget", true)]
    [InlineData("  Re[2]: Budget", true)]
    [InlineData("RE (3): Budget", true)]
    [InlineData("AW: Budget", true)]   // German
    [InlineData("SV: Budget", true)]   // Swedish, Danish, Norwegian
    [InlineData("VS: Budget", true)]   // Finnish
    [InlineData("Antw: Budget", true)] // Dutch
    [InlineData("ODP: Budget", true)]  // Polish
    [InlineData("RIF: Budget", true)]  // Italian
    [InlineData("R: Budget", true)]    // Italian, Portuguese
    [InlineData("Ref: Budget", true)]
    [InlineData("RÉF: Budget", true)]  // French
    [InlineData("ATB: Budget", true)]  // Latvian
    [InlineData("FW: Budget", false)]  // a forward is not a reply
    [InlineData("WG: Budget", false)]
    [InlineData("Budget", false)]
    [InlineData("Regarding: Budget", false)]
    [InlineData("Re", false)]
    [InlineData("Budget re: Q3", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Reply_prefixes(string? subject, bool reply) => Assert.Equal(reply, Subjects.HasReplyPrefix(subject));

    [Theory]
    [InlineData("RE: Re: FW: Budget", "budget")]
    [InlineData("Re[2]: Budget", "budget")]
    [InlineData("AW: WG: Budget  review", "budget review")]
    [InlineData("[list] Re: Budget", "budget")]
    [InlineData("[Fwd: Budget]", "budget")]
    [InlineData("TR: RV: ENC: Fwd: Budget", "budget")]
    [InlineData("Réf: Budget", "budget")]
    [InlineData("R: Budget", "budget")]
    [InlineData("Regarding: Budget", "regarding: budget")]
    [InlineData("Budget: Q3", "budget: q3")]
    [InlineData("  ", "")]
    public void Thread_subject(string subject, string expected) => Assert.Equal(expected, Subjects.Normalize(subject));

    [Theory]
    [InlineData("  Budget\t Review ", "budget review")]
    [InlineData("RE: Budget", "re: budget")]
    public void Collapse_keeps_prefixes(string subject, string expected) => Assert.Equal(expected, Subjects.Collapse(subject));
}

public sealed class AutomationHeaderTests
{
    [Theory]
    [InlineData("List-Id", "<news.example.net>", AutomationMarkers.ListId)]
    [InlineData("list-id", "Team <team.example.net>", AutomationMarkers.ListId)]
    [InlineData("List-Id", "  ", AutomationMarkers.None)]
    [InlineData("List-Unsubscribe", "<mailto:u@x>", AutomationMarkers.ListUnsubscribe)]
    [InlineData("Precedence", "bulk", AutomationMarkers.PrecedenceBulk)]
    [InlineData("Precedence", " List ", AutomationMarkers.PrecedenceBulk)]
    [InlineData("Precedence", "junk", AutomationMarkers.PrecedenceBulk)]
    [InlineData("Precedence", "first-class", AutomationMarkers.None)]
    // RFC 3834: anything but "no" is automated, parameters and comments aside.
    [InlineData("Auto-Submitted", "auto-replied", AutomationMarkers.AutoSubmitted)]
    [InlineData("Auto-Submitted", "auto-generated", AutomationMarkers.AutoSubmitted)]
    [InlineData("Auto-Submitted", "auto-notified; owner-email=\"a@x\"", AutomationMarkers.AutoSubmitted)]
    [InlineData("Auto-Submitted", "notify", AutomationMarkers.AutoSubmitted)] // was missed by the import ("no" prefix)
    [InlineData("Auto-Submitted", "no", AutomationMarkers.None)]
    [InlineData("Auto-Submitted", " No ", AutomationMarkers.None)]
    [InlineData("Auto-Submitted", "no; reason=x", AutomationMarkers.None)]  // was automated on Graph
    [InlineData("Auto-Submitted", "no (a person wrote this)", AutomationMarkers.None)]
    [InlineData("Auto-Submitted", "", AutomationMarkers.None)]
    [InlineData("X-Microsoft-Antispam", "BCL:7;", AutomationMarkers.Bulk)]
    [InlineData("X-Microsoft-Antispam", "ARA:1; BCL:9; SFV:BLK", AutomationMarkers.Bulk)]
    [InlineData("X-Microsoft-Antispam", "BCL:6;", AutomationMarkers.None)]
    [InlineData("X-Microsoft-Antispam", "BCL:x;", AutomationMarkers.None)]
    [InlineData("Subject", "bulk", AutomationMarkers.None)]
    [InlineData(null, "bulk", AutomationMarkers.None)]
    public void One_header(string? name, string? value, AutomationMarkers expected) => Assert.Equal(expected, AutomationHeaders.Of(name, value));
}

public sealed class MailboxIdTests
{
    [Theory]
    [InlineData("Ann.Lee@Contoso.COM", "ann.lee@contoso.com")] // a UPN as typed at the CLI
    [InlineData("  ann.lee@contoso.com ", "ann.lee@contoso.com")] // as configured
    [InlineData("6F1C2A3B-0000-4C5D-9E8F-0123456789AB", "6f1c2a3b-0000-4c5d-9e8f-0123456789ab")] // an object id
    [InlineData("sample", "sample")]
    [InlineData("   ", "")]
    [InlineData(null, "")]
    public void One_key_per_mailbox(string? name, string expected) => Assert.Equal(expected, MailboxId.Normalize(name));
}

public sealed class DurationTextTests
{
    [Theory]
    [InlineData(0, "0 h")]
    [InlineData(3.54, "3.5 h")]
    [InlineData(47.9, "47.9 h")]
    [InlineData(48, "2 days")]
    [InlineData(61, "2.5 days")]
    public void Hours(double hours, string expected) => Assert.Equal(expected, DurationText.Hours(hours));

    [Theory]
    [InlineData(0.5, "under a day")]
    [InlineData(1, "1 days")]
    [InlineData(59.4, "59 days")]
    [InlineData(61, "2 months")]
    [InlineData(365, "12 months")]
    public void Days(double days, string expected) => Assert.Equal(expected, DurationText.Days(days));

    [Theory]
    [InlineData(0.4, "0 days")]
    [InlineData(45, "45 days")]
    [InlineData(400, "13 months")]
    public void Months(double days, string expected) => Assert.Equal(expected, DurationText.Months(days));
}

public sealed class MonthIndexTests
{
    [Theory]
    [InlineData(2026, 1, 2026 * 12)]
    [InlineData(2026, 12, 2026 * 12 + 11)]
    [InlineData(1, 1, 12)]
    public void Of_and_back(int year, int month, int index)
    {
        Assert.Equal(index, MonthIndex.Of(year, month));
        Assert.Equal((year, month), MonthIndex.YearMonth(index));
        Assert.Equal(new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero), MonthIndex.Start(index));
    }

    [Theory]
    [InlineData("2026-03-31T23:59:59Z", 2026, 3)]
    [InlineData("2026-04-01T00:00:00Z", 2026, 4)]
    [InlineData("2026-04-01T01:00:00+02:00", 2026, 3)] // by the UTC month
    public void Of_an_instant(string instant, int year, int month) =>
        Assert.Equal(MonthIndex.Of(year, month), MonthIndex.Of(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));
}
