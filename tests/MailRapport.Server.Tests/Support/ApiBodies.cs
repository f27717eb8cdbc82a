using System.Net.Http.Json;
using System.Text.Json;

namespace MailRapport.Server.Tests.Support;

/// <summary>
/// The JSON the pane reads, as small local records the API tests deserialise into (the API's own contract types are
/// being introduced in Api/; until then these pin the wire shape independently of the server's types).
/// </summary>
public static class ApiBodies
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<T>(Web) ?? throw new InvalidOperationException($"{typeof(T).Name}: empty body");

    public static async Task<T> GetBodyAsync<T>(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return await response.ReadAsync<T>();
    }
}

public sealed record ProblemBody(string? Type, string? Title, int Status, string? Detail);

public sealed record ContactPageBody(int Page, int PageSize, long Total, List<ContactBody> Items);

public sealed record ContactBody(string Address, string Stage, string Nurture, List<MonthBody>? Timeline, List<StageChangeBody>? StageHistory);

public sealed record MonthBody(int Year, int Month);

public sealed record StageChangeBody(DateTimeOffset At, string Stage);

public sealed record MeBody(string Mailbox, bool FirstScanPending, bool ScanRunning, bool ScanQueued, DateTimeOffset? NextScanAt,
    string? LastScanError, bool LastScanErrorPermanent);
