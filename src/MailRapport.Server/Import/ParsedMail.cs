using System.Text;
using MailRapport.Core;

namespace MailRapport.Server.Import;

/// <summary>One message's header metadata as read from a file, before owner, duplicates and threads are known.</summary>
public sealed record ParsedMail
{
    /// <summary>File (and offset, for mbox) the message came from: for reports only.</summary>
    public required string Source { get; init; }
    /// <summary>Folder path relative to the import root, '/'-separated ("sent", "inbox/projects").</summary>
    public required string Folder { get; init; }
    public string? MessageId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required MailboxAddress From { get; init; }
    public required IReadOnlyList<MailboxAddress> To { get; init; }
    public required IReadOnlyList<MailboxAddress> Cc { get; init; }
    public required IReadOnlyList<MailboxAddress> Bcc { get; init; }
    public required string Subject { get; init; }
    public string? InReplyTo { get; init; }
    public IReadOnlyList<string> References { get; init; } = [];
    public AutomationMarkers Markers { get; init; }
    public InvitationText? Invitation { get; init; }
    /// <summary>True for items in a calendar folder exported as mail (organizer in From, attendees in To).</summary>
    public bool IsCalendarItem { get; init; }
}

public enum ParseOutcome
{
    Ok = 0,
    /// <summary>Not a mail header block at all (binary, empty, no fields).</summary>
    Malformed = 1,
    /// <summary>Headers but no usable sender address.</summary>
    NoSender = 2,
    /// <summary>Date missing, unreadable or a placeholder: the message cannot be placed in time.</summary>
    BrokenDate = 3,
}

/// <summary>Turns a header block (and, for invitations only, the start of the body) into a <see cref="ParsedMail"/>.</summary>
public static class MailParser
{
    /// <summary>How much of a body is scanned for invitation lines; bodies are never kept.</summary>
    public const int InvitationScanBytes = 4 * 1024;

    public static ParseOutcome Parse(ReadOnlySpan<byte> data, string source, string folder, DateTimeOffset latestPlausible,
        out ParsedMail? mail, out DateQuality dateQuality)
    {
        mail = null;
        dateQuality = DateQuality.Ok;
        if (data.Length == 0 || data[..Math.Min(data.Length, 4096)].IndexOf((byte)0) >= 0) return ParseOutcome.Malformed;
        var h = HeaderBlock.Parse(data);
        if (h.FieldCount == 0) return ParseOutcome.Malformed;

        var from = EmailAddress.ParseOne(QuoteOutlookNames(h.From)) ?? EmailAddress.ParseOne(QuoteOutlookNames(h.Sender));
        if (from is not { } sender) return ParseOutcome.NoSender;
        dateQuality = MailDate.TryParse(h.Date, latestPlausible, out var timestamp);
        if (dateQuality != DateQuality.Ok) return ParseOutcome.BrokenDate;

        var fromName = Decode(sender.DisplayName) ?? DisplayText.Name(XFromName(h.XFrom));
        bool calendarFolder = IsCalendarFolder(folder);
        InvitationText? invitation = null;
        if (h.Complete)
        {
            var body = data[h.BodyStart..];
            if (body.Length > InvitationScanBytes) body = body[..InvitationScanBytes];
            if (InvitationText.LooksLikeInvitation(body))
                invitation = InvitationText.TryParse(Encoding.Latin1.GetString(body));
        }
        mail = new ParsedMail
        {
            Source = source,
            Folder = folder,
            MessageId = NormalizeId(h.MessageId),
            Timestamp = timestamp,
            From = new MailboxAddress(sender.Address, fromName),
            To = DecodeNames(EmailAddress.ParseList(QuoteOutlookNames(h.To))),
            Cc = DecodeNames(EmailAddress.ParseList(QuoteOutlookNames(h.Cc))),
            Bcc = DecodeNames(EmailAddress.ParseList(QuoteOutlookNames(h.Bcc))),
            Subject = h.Subject ?? "",
            InReplyTo = ParseIds(h.InReplyTo).FirstOrDefault(),
            References = ParseIds(h.References),
            Markers = Markers(h),
            Invitation = invitation,
            IsCalendarItem = calendarFolder && invitation is null,
        };
        return ParseOutcome.Ok;
    }

    /// <summary>
    /// Outlook writes <c>Lay, Kenneth &lt;kenneth.lay@enron.com&gt;</c> unquoted: a one-word "Last," before "First &lt;address&gt;"
    /// is one name (as MimeKit reads it). "Jeff Dasovich, Karen &lt;k@x&gt;" stays two entries.
    /// </summary>
    private static readonly System.Text.RegularExpressions.Regex OutlookName = new(
        @"(?<=^|,)(\s*)([^,""<>@()=:;\\\s]+),(\s*[^,""<>@()=:;\\]+?)(\s*<)", System.Text.RegularExpressions.RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(1));

    internal static string? QuoteOutlookNames(string? header)
    {
        if (header is null || header.IndexOf('<') < 0 || header.IndexOf(',') < 0 || header.Length > 64 * 1024) return header;
        try { return OutlookName.Replace(header, "$1\"$2,$3\"$4"); }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException) { return header; }
    }

    public static bool IsCalendarFolder(string folder)
    {
        foreach (var segment in folder.Split('/'))
            if (segment.Equals("calendar", StringComparison.OrdinalIgnoreCase) || segment.Equals("meetings", StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    /// <summary>Sent-items folders under their usual names in maildir, mbox exports, Outlook and Lotus Notes.</summary>
    public static bool IsSentFolder(string folder)
    {
        foreach (var segment in folder.Split('/'))
        {
            var s = segment.Trim('.').ToLowerInvariant().Replace('_', ' ').Trim();
            if (s is "sent" or "sent mail" or "sent items" or "sent messages" or "outbox" or "[gmail]/sent mail" or "sent-mail")
                return true;
        }
        return false;
    }

    /// <summary>Decodes encoded words, then neutralises the result (control and bidi characters, length): see <see cref="DisplayText"/>.</summary>
    private static string? Decode(string? name) => name is null ? null : DisplayText.Name(EmailAddress.CleanDisplayName(EncodedWords.Decode(name)));

    private static IReadOnlyList<MailboxAddress> DecodeNames(IReadOnlyList<MailboxAddress> list)
    {
        if (list.Count == 0) return [];
        var result = new List<MailboxAddress>(list.Count);
        foreach (var a in list) result.Add(a.DisplayName is { } n ? a with { DisplayName = Decode(n) } : a);
        return result;
    }

    /// <summary>Enron's X-From: "Valdez, Christina &lt;/O=ENRON/...&gt;" or "Frank Bayouth@Enron": keep the name part.</summary>
    internal static string? XFromName(string? xfrom)
    {
        if (string.IsNullOrWhiteSpace(xfrom)) return null;
        var s = xfrom;
        int lt = s.IndexOf('<');
        if (lt >= 0) s = s[..lt];
        int at = s.IndexOf('@');
        if (at >= 0) s = s[..at];
        return EmailAddress.CleanDisplayName(s);
    }

    internal static string? NormalizeId(string? raw)
    {
        var ids = ParseIds(raw);
        return ids.Count > 0 ? ids[0] : null;
    }

    /// <summary>Message ids from In-Reply-To / References: the &lt;...&gt; tokens, or bare tokens with an '@'. Lower-cased.</summary>
    internal static IReadOnlyList<string> ParseIds(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return [];
        var result = new List<string>();
        int i = 0;
        while (i < raw.Length)
        {
            int lt = raw.IndexOf('<', i);
            if (lt < 0) break;
            int gt = raw.IndexOf('>', lt + 1);
            if (gt < 0) break;
            var id = raw[(lt + 1)..gt].Trim();
            if (id.Length > 0 && !id.Any(char.IsWhiteSpace)) result.Add(id.ToLowerInvariant());
            i = gt + 1;
        }
        if (result.Count == 0)
            foreach (var token in raw.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
                if (token.Contains('@')) result.Add(token.Trim('<', '>', '"').ToLowerInvariant());
        return result;
    }

    private static AutomationMarkers Markers(HeaderBlock h) =>
        AutomationHeaders.Of("List-Id", h.ListId) | AutomationHeaders.Of("List-Unsubscribe", h.ListUnsubscribe) |
        AutomationHeaders.Of("Precedence", h.Precedence) | AutomationHeaders.Of("Auto-Submitted", h.AutoSubmitted) |
        AutomationHeaders.Of("X-Microsoft-Antispam", h.MicrosoftAntispam);
}
