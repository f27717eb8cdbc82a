using System.Text;
using MailRapport.Core;
using MailRapport.Server.Import;

namespace MailRapport.Server.Tests.Import;

public sealed class HeaderParsingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    private static ParsedMail ParseOk(string text, string folder = "inbox")
    {
        var outcome = MailParser.Parse(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n")), "test", folder, Now, out var mail, out _);
        Assert.Equal(ParseOutcome.Ok, outcome);
        return mail!;
    }

    [Fact]
    public void Folded_lines_are_unfolded_and_other_fields_skipped()
    {
        var mail = ParseOk("""
            Message-ID: <ABC@host>
            Date: Mon, 13 Dec 1999 01:21:00 -0800 (PST)
            From: drew.fossum@enron.com
            To: a@enron.com, b@enron.com,
            	c@enron.com
            Subject: Weekly staff meeting (coor by
             Rich)
            X-Unrelated: ignored

            body From: someone@else.com
            """);
        Assert.Equal(["a@enron.com", "b@enron.com", "c@enron.com"], mail.To.Select(a => a.Address));
        Assert.Equal("Weekly staff meeting (coor by Rich)", mail.Subject);
        Assert.Equal("abc@host", mail.MessageId);
        Assert.Equal(new DateTimeOffset(1999, 12, 13, 9, 21, 0, TimeSpan.Zero), mail.Timestamp);
        Assert.Equal("drew.fossum@enron.com", mail.From.Address);
    }

    [Fact]
    public void Crlf_line_endings_are_read()
    {
        var bytes = Encoding.ASCII.GetBytes("From: a@x.com\r\nTo: b@x.com\r\nDate: 1 Jan 2001 10:00:00 +0000\r\nSubject: hi\r\n\r\nbody\r\n");
        Assert.Equal(ParseOutcome.Ok, MailParser.Parse(bytes, "t", "", Now, out var mail, out _));
        Assert.Equal("hi", mail!.Subject);
        Assert.Equal("b@x.com", mail.To[0].Address);
    }

    [Theory]
    [InlineData("=?UTF-8?B?SMOpbGxvIFfDtnJsZA==?=", "Héllo Wörld")]
    [InlineData("=?iso-8859-1?Q?Caf=E9_cr=E8me?=", "Café crème")]
    [InlineData("=?windows-1252?Q?=93quoted=94?=", "\u201Cquoted\u201D")]
    [InlineData("=?utf-8?q?a?= =?utf-8?q?b?=", "ab")]
    [InlineData("Re: =?UTF-8?Q?=C3=A9t=C3=A9?= plans", "Re: été plans")]
    [InlineData("=?koi8-r?B?8NLJ18XU?=", "Привет")]
    [InlineData("=?unknown-charset?Q?abc?=", "abc")]
    [InlineData("=?utf-8?X?broken?=", "=?utf-8?X?broken?=")]
    [InlineData("no encoding =? here", "no encoding =? here")]
    public void Encoded_words_decode(string raw, string expected) => Assert.Equal(expected, EncodedWords.Decode(raw));

    [Fact]
    public void Encoded_display_names_with_commas_stay_one_address()
    {
        var mail = ParseOk("""
            From: =?utf-8?Q?M=C3=BCller,_Hans?= <hans@x.de>
            To: "Doe, Jane" <jane@x.com>, team: a@x.com, "B \"Bee\" Bo" <b@x.com>;, c@x.com (Cee, C)
            Date: Tue, 2 Jan 2001 10:00:00 +0100

            """);
        Assert.Equal("Müller, Hans", mail.From.DisplayName);
        Assert.Equal(["jane@x.com", "a@x.com", "b@x.com", "c@x.com"], mail.To.Select(a => a.Address));
        Assert.Equal("Doe, Jane", mail.To[0].DisplayName);
        Assert.Equal("B \"Bee\" Bo", mail.To[2].DisplayName);
        Assert.Equal("Cee, C", mail.To[3].DisplayName);
    }

    [Theory]
    [InlineData("undisclosed-recipients:;", new string[0])]
    [InlineData("<@relay.example,@other.example:Jane@X.com>", new[] { "jane@x.com" })]
    [InlineData("Jane <jane@x.com>, , not an address, <>", new[] { "jane@x.com" })]
    [InlineData("'bob@x.com'", new[] { "bob@x.com" })]
    [InlineData("Friends: a@x.com, b@x.com;, Others: c@x.com;", new[] { "a@x.com", "b@x.com", "c@x.com" })]
    public void Address_lists(string text, string[] expected) =>
        Assert.Equal(expected, EmailAddress.ParseList(text).Select(a => a.Address));

    [Theory]
    [InlineData("Mon, 13 Dec 1999 01:21:00 -0800 (PST)", "1999-12-13T09:21:00Z")]
    [InlineData("13 Dec 1999 01:21 -0800", "1999-12-13T09:21:00Z")]
    [InlineData("Mon, 13 Dec 99 01:21:00 PST", "1999-12-13T09:21:00Z")]
    [InlineData("Wed, 5 Jan 01 10:00:00 EST", "2001-01-05T15:00:00Z")]
    [InlineData("Fri, 5 Jan 101 10:00:00 GMT", "2001-01-05T10:00:00Z")]
    [InlineData("5 Jan 2001 10:00:00 Z", "2001-01-05T10:00:00Z")]
    [InlineData("Friday, January 5, 2001 10:00:00 AM -0600", "2001-01-05T16:00:00Z")]
    [InlineData("Jan 5 2001 3:04:05 PM +0000", "2001-01-05T15:04:05Z")]
    [InlineData("Fri, 05 Jan 2001 10:00:60 +0000", "2001-01-05T10:00:59Z")]
    [InlineData("2001-01-05T10:00:00Z", "2001-01-05T10:00:00Z")]
    [InlineData("Fri, 5 Jan 2001 10:00:00 (no zone)", "2001-01-05T10:00:00Z")]
    public void Dates_in_current_and_obsolete_forms(string text, string expectedUtc)
    {
        Assert.Equal(DateQuality.Ok, MailDate.TryParse(text, Now, out var value));
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData(null, DateQuality.Missing)]
    [InlineData("   ", DateQuality.Missing)]
    [InlineData("sometime last week", DateQuality.Unparseable)]
    [InlineData("Mon, 31 Feb 2001 10:00:00 +0000", DateQuality.Unparseable)]
    [InlineData("Mon, 13 Dec 2001 25:00:00 +0000", DateQuality.Unparseable)]
    [InlineData("Mon, 31 Dec 1979 16:00:00 -0800 (PST)", DateQuality.Implausible)]
    [InlineData("Mon, 30 May 0001 13:10:06 -0800 (PST)", DateQuality.Implausible)]
    [InlineData("Mon, 1 Jan 0001 00:00:00 +0800", DateQuality.Unparseable)]
    [InlineData("Thu, 24 Dec 2099 15:36:06 -0800 (PST)", DateQuality.Implausible)]
    public void Broken_dates_are_classified_not_thrown(string? text, DateQuality expected) =>
        Assert.Equal(expected, MailDate.TryParse(text, Now, out _));

    [Fact]
    public void Automation_markers_and_reply_ids()
    {
        var mail = ParseOk("""
            From: news@list.example.com
            To: me@x.com
            Date: Tue, 2 Jan 2001 10:00:00 +0000
            List-Id: <news.list.example.com>
            List-Unsubscribe: <mailto:leave@list.example.com>
            Precedence: bulk
            Auto-Submitted: auto-generated
            In-Reply-To: <Parent@Host>
            References: <Root@Host> <Parent@Host>
            Subject: RE: news

            """);
        Assert.Equal(AutomationMarkers.ListId | AutomationMarkers.ListUnsubscribe | AutomationMarkers.PrecedenceBulk | AutomationMarkers.AutoSubmitted, mail.Markers);
        Assert.Equal("parent@host", mail.InReplyTo);
        Assert.Equal(["root@host", "parent@host"], mail.References);
    }

    /// <summary>Graph scans and imported files read the same headers the same way (they disagreed on Auto-Submitted and BCL).</summary>
    [Theory]
    [InlineData("Auto-Submitted", "auto-replied", AutomationMarkers.AutoSubmitted)]
    [InlineData("Auto-Submitted", "auto-notified; owner-email=a@x.com", AutomationMarkers.AutoSubmitted)]
    [InlineData("Auto-Submitted", "no; reason=manual", AutomationMarkers.None)]
    [InlineData("Auto-Submitted", "no", AutomationMarkers.None)]
    [InlineData("X-Microsoft-Antispam", "BCL:8;", AutomationMarkers.Bulk)]
    [InlineData("X-Microsoft-Antispam", "BCL:2;", AutomationMarkers.None)]
    [InlineData("Precedence", "list", AutomationMarkers.PrecedenceBulk)]
    [InlineData("List-Id", "<team.example.com>", AutomationMarkers.ListId)]
    public void Import_and_graph_read_automation_headers_alike(string name, string value, AutomationMarkers expected)
    {
        var imported = ParseOk($"From: a@x.com\nTo: me@x.com\nDate: Tue, 2 Jan 2001 10:00:00 +0000\n{name}: {value}\nSubject: s\n\n");
        var scanned = MailRapport.Server.Scanning.GraphInteractionMapper.Markers([new MailRapport.Server.Scanning.GraphHeader { Name = name, Value = value }]);
        Assert.Equal(expected, imported.Markers);
        Assert.Equal(expected, scanned);
    }

    [Fact]
    public void Enron_x_from_gives_the_display_name()
    {
        var mail = ParseOk("""
            From: christina.valdez@enron.com
            Date: Fri, 11 Jan 2002 13:54:45 -0800 (PST)
            X-From: Valdez, Christina </O=ENRON/OU=NA/CN=RECIPIENTS/CN=CVALDEZ>

            """);
        Assert.Equal("Valdez, Christina", mail.From.DisplayName);
    }

    [Theory]
    [InlineData("", ParseOutcome.Malformed)]
    [InlineData("just some text without any header\n", ParseOutcome.Malformed)]
    [InlineData("To: a@x.com\nDate: 1 Jan 2001 00:00 +0000\n\nno sender\n", ParseOutcome.NoSender)]
    [InlineData("From: not an address\nDate: 1 Jan 2001 00:00 +0000\n\n", ParseOutcome.NoSender)]
    [InlineData("From: a@x.com\nTo: b@x.com\n\nno date\n", ParseOutcome.BrokenDate)]
    public void Broken_messages_are_classified(string text, ParseOutcome expected) =>
        Assert.Equal(expected, MailParser.Parse(Encoding.UTF8.GetBytes(text), "t", "", Now, out _, out _));

    [Fact]
    public void Binary_data_is_malformed()
    {
        var bytes = new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0xFF, 0x10 };
        Assert.Equal(ParseOutcome.Malformed, MailParser.Parse(bytes, "t", "", Now, out _, out _));
    }

    [Fact]
    public void Raw_8bit_headers_decode_as_utf8_or_latin1()
    {
        var utf8 = Encoding.UTF8.GetBytes("From: Jürgen <j@x.de>\nDate: 1 Jan 2001 00:00 +0000\n\n");
        Assert.Equal(ParseOutcome.Ok, MailParser.Parse(utf8, "t", "", Now, out var a, out _));
        Assert.Equal("Jürgen", a!.From.DisplayName);
        var latin1 = Encoding.Latin1.GetBytes("From: Jürgen <j@x.de>\nDate: 1 Jan 2001 00:00 +0000\n\n");
        Assert.Equal(ParseOutcome.Ok, MailParser.Parse(latin1, "t", "", Now, out var b, out _));
        Assert.Equal("Jürgen", b!.From.DisplayName);
    }

    [Theory]
    [InlineData("RE: Re: FW: Budget", "budget")]
    [InlineData("Re[2]: Budget", "budget")]
    [InlineData("AW: WG: Budget  review", "budget review")]
    [InlineData("[list] Re: Budget", "budget")]
    [InlineData("Regarding: Budget", "regarding: budget")]
    public void Subjects_normalise_for_threads(string subject, string expected) => Assert.Equal(expected, Subjects.Normalize(subject));

    // ---- issue 11.6: what MimeKit gets right and the reader learned ----

    [Theory]
    [InlineData("=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=", "café")]
    [InlineData("=?UTF-8?B?Y2Fmw6k=?= =?utf-8?Q?_au_lait?=", "café au lait")]
    [InlineData("=?UTF-8?B?5pel?= =?UTF-8?B?5pys?=", "日本")]
    [InlineData("=?UTF-8?Q?caf=C3?= =?ISO-8859-1?Q?=E9?=", "caf\uFFFDé")]
    public void Encoded_words_split_inside_a_character_decode_together(string raw, string expected) => Assert.Equal(expected, EncodedWords.Decode(raw));

    [Fact]
    public void An_encoded_name_split_inside_a_character_reaches_the_address()
    {
        var mail = ParseOk("""
            Date: Mon, 4 Dec 2000 09:00:00 -0800
            From: =?UTF-8?Q?Ren=C3?= =?UTF-8?Q?=A9e_Caf=C3=A9?= <renee@x.com>
            To: me@x.com
            Subject: s

            x
            """);
        Assert.Equal("Renée Café", mail.From.DisplayName);
    }

    [Fact]
    public void Outlook_unquoted_last_comma_first_is_one_address()
    {
        var mail = ParseOk("""
            Date: Mon, 4 Dec 2000 09:00:00 -0800
            From: Lay, Kenneth <kenneth.lay@enron.com>
            To: Skilling, Jeff <jeff.skilling@enron.com>, "Doe, Jane" <jane@x.com>, bob@x.com,
             Fastow, Andrew S. <andrew.fastow@enron.com>, Jeff Dasovich, Karen Denne <karen.denne@enron.com>
            Subject: s

            x
            """);
        Assert.Equal(new MailboxAddress("kenneth.lay@enron.com", "Lay, Kenneth"), mail.From);
        Assert.Equal(
            [
                new MailboxAddress("jeff.skilling@enron.com", "Skilling, Jeff"),
                new MailboxAddress("jane@x.com", "Doe, Jane"),
                new MailboxAddress("bob@x.com", null),
                new MailboxAddress("andrew.fastow@enron.com", "Fastow, Andrew S."),
                new MailboxAddress("karen.denne@enron.com", "Karen Denne"),
            ], mail.To);
    }
}
