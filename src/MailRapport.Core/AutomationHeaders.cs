using System.Globalization;

namespace MailRapport.Core;

/// <summary>
/// The one rule turning mail headers into <see cref="AutomationMarkers"/>, for Graph's internetMessageHeaders and for
/// imported files alike.
/// </summary>
public static class AutomationHeaders
{
    /// <summary>Exchange Online Protection's default bulk threshold: a Bulk Complaint Level of 7 or more is bulk.</summary>
    public const int BulkComplaintThreshold = 7;

    private const string ListId = "List-Id", ListUnsubscribe = "List-Unsubscribe", Precedence = "Precedence",
        AutoSubmitted = "Auto-Submitted", Antispam = "X-Microsoft-Antispam";

    /// <summary>The header fields <see cref="Of"/> reads; every other field gives no marker (a reader may drop them).</summary>
    public static IReadOnlyList<string> Fields { get; } = [ListId, ListUnsubscribe, Precedence, AutoSubmitted, Antispam];

    /// <summary>Whether <paramref name="name"/> is one of <see cref="Fields"/>, compared as <see cref="Of"/> compares it.</summary>
    public static bool IsField(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return false;
        var field = name.Trim();
        foreach (var known in Fields)
            if (field.Equals(known, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The marker one header field gives, or <see cref="AutomationMarkers.None"/>.</summary>
    public static AutomationMarkers Of(string? name, string? value)
    {
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(value)) return AutomationMarkers.None;
        var field = name.Trim();
        if (field.Equals(ListId, StringComparison.OrdinalIgnoreCase)) return AutomationMarkers.ListId;
        if (field.Equals(ListUnsubscribe, StringComparison.OrdinalIgnoreCase)) return AutomationMarkers.ListUnsubscribe;
        if (field.Equals(Precedence, StringComparison.OrdinalIgnoreCase))
            return Keyword(value) is "bulk" or "list" or "junk" ? AutomationMarkers.PrecedenceBulk : AutomationMarkers.None;
        if (field.Equals(AutoSubmitted, StringComparison.OrdinalIgnoreCase))
            return IsAutoSubmitted(value) ? AutomationMarkers.AutoSubmitted : AutomationMarkers.None;
        if (field.Equals(Antispam, StringComparison.OrdinalIgnoreCase))
            return BulkComplaintLevel(value) >= BulkComplaintThreshold ? AutomationMarkers.Bulk : AutomationMarkers.None;
        return AutomationMarkers.None;
    }

    /// <summary>
    /// RFC 3834 §5: every Auto-Submitted keyword but "no" (auto-generated, auto-replied, auto-notified, and extensions)
    /// marks automated mail. The keyword is read without its parameters and comments: "no; reason=x" is not automated.
    /// </summary>
    public static bool IsAutoSubmitted(string? value) => Keyword(value) is { Length: > 0 } k && k != "no";

    /// <summary>The BCL value in an X-Microsoft-Antispam header ("BCL:7;"), or -1 when there is none.</summary>
    public static int BulkComplaintLevel(string? antispam)
    {
        if (antispam is null) return -1;
        foreach (var part in antispam.Split(';', StringSplitOptions.TrimEntries))
            if (part.StartsWith("BCL:", StringComparison.OrdinalIgnoreCase) &&
                int.TryParse(part.AsSpan(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out var level))
                return level;
        return -1;
    }

    /// <summary>A header's keyword: up to the first ';' or '(' comment, trimmed, lower case.</summary>
    private static string? Keyword(string? value)
    {
        if (value is null) return null;
        int end = value.IndexOfAny([';', '(']);
        return (end < 0 ? value : value[..end]).Trim().ToLowerInvariant();
    }
}
