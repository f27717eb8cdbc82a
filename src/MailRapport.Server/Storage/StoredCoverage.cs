using System.Text.Json;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>
/// The stored coverage document, format 1 (mailbox_coverage.coverage, with coverage_format = 1): what the mailbox held
/// month by month at the last recompute. Its own types, mapped from Core's <see cref="MailboxCoverage"/> like
/// <see cref="StoredProfile"/>; format 1 has the names Core's record was stored with before, so older rows read as is.
/// </summary>
public sealed class StoredCoverage
{
    public IReadOnlyList<StoredCoverageMonth> Months { get; set; } = [];
}

public sealed class StoredCoverageMonth
{
    public int Year { get; set; }
    public int Month { get; set; }
    public int Received { get; set; }
    public int Sent { get; set; }
    public int Meetings { get; set; }
    public bool ReceivedStored { get; set; }
    public bool SentStored { get; set; }
    public bool CalendarStored { get; set; }
}

/// <summary>Core's coverage to the stored document and back; the one place that knows the coverage format number.</summary>
internal static class StoredCoverageFormat
{
    public const short Current = 1;

    public static string Serialize(MailboxCoverage coverage) => JsonSerializer.Serialize(new StoredCoverage
    {
        Months = coverage.Months.Select(m => new StoredCoverageMonth
        {
            Year = m.Year, Month = m.Month, Received = m.Received, Sent = m.Sent, Meetings = m.Meetings,
            ReceivedStored = m.ReceivedStored, SentStored = m.SentStored, CalendarStored = m.CalendarStored,
        }).ToList(),
    }, StoredProfileJson.Default.StoredCoverage);

    public static MailboxCoverage Deserialize(short format, string json) => format switch
    {
        1 => new MailboxCoverage((JsonSerializer.Deserialize(json, StoredProfileJson.Default.StoredCoverage) ?? throw new JsonException("A stored coverage is null."))
            .Months.Select(m => new MonthCoverage(m.Year, m.Month, m.Received, m.Sent, m.Meetings, m.ReceivedStored, m.SentStored, m.CalendarStored)).ToList()),
        _ => throw new NotSupportedException($"Stored coverage format {format} is newer than this version reads; upgrade the service."),
    };
}
