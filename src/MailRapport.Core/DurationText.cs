using System.Globalization;

namespace MailRapport.Core;

/// <summary>How durations read in reasons, summaries and evidence: one wording for the classifier and the CLI.</summary>
public static class DurationText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Reply times: "3.5 h" under two days, then "2.1 days".</summary>
    public static string Hours(double hours) =>
        hours < 48 ? $"{hours.ToString("0.#", Inv)} h" : $"{(hours / 24).ToString("0.#", Inv)} days";

    /// <summary>Gaps and silences: "under a day", "12 days" under 60 days, then "3 months".</summary>
    public static string Days(double days) => days < 1 ? "under a day" : Months(days);

    /// <summary>Spans: "12 days" under 60 days, then "3 months" (average month length).</summary>
    public static string Months(double days) => days < 60 ? $"{Math.Round(days)} days" : $"{Math.Round(days / 30.44)} months";
}
