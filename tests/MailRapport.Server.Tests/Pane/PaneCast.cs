using System.Net.Http.Json;
using System.Text.Json;

namespace MailRapport.Server.Tests.Pane;

/// <summary>What serves the pane in the browser tests: the real service in local mode, or a canned stand-in.</summary>
internal interface IPaneHost : IAsyncDisposable
{
    string BaseUrl { get; }
    string OwnerAddress { get; }
    string Description { get; }
}

/// <summary>
/// The people the browser tests open, picked from whatever the host's API serves, so every assertion compares
/// the rendered page with the API's own answer.
/// </summary>
public sealed record PaneCast(string Owner, JsonElement Lead, JsonElement Rapport, JsonElement Contact, JsonElement Automated, IReadOnlyList<JsonElement> All)
{
    public const string Stranger = "someone.new@elsewhere.example";

    internal static async Task<PaneCast> LoadAsync(IPaneHost host)
    {
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        var all = new List<JsonElement>();
        for (var page = 1; page < 1000; page++)
        {
            var body = await http.GetFromJsonAsync<JsonElement>($"/api/contacts?page={page}&pageSize=200");
            var items = body.GetProperty("items").EnumerateArray().ToList();
            all.AddRange(items);
            if (items.Count == 0 || all.Count >= body.GetProperty("total").GetInt64()) break;
        }
        JsonElement Pick(string stage, Func<JsonElement, bool>? also = null) =>
            all.Where(c => !IsAutomated(c) && Str(c, "stage") == stage && Str(c, "displayName") is not null && (also?.Invoke(c) ?? true))
               .OrderByDescending(c => c.GetProperty("strength").GetDouble()).First();
        var lead = Pick("relationship", c => Str(c, "nurture") == "active" && c.GetProperty("evidence").GetProperty("sharedMeetings").GetInt32() > 0);
        var detail = await http.GetFromJsonAsync<JsonElement>("/api/contacts/" + Uri.EscapeDataString(Str(lead, "address")!));
        return new PaneCast(host.OwnerAddress, detail, Pick("rapport"), Pick("contact"), all.First(IsAutomated), all);
    }

    public static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Flags are a JSON array of camelCase names (an older shape was one comma-separated string).</summary>
    public static bool IsAutomated(JsonElement c)
    {
        if (!c.TryGetProperty("flags", out var flags)) return false;
        var names = flags.ValueKind == JsonValueKind.Array
            ? flags.EnumerateArray().Select(f => f.GetString() ?? "")
            : (flags.ValueKind == JsonValueKind.String ? flags.GetString()! : "").Split(',', StringSplitOptions.TrimEntries);
        return names.Contains("automated", StringComparer.OrdinalIgnoreCase);
    }

    public static string Label(string? value) => string.IsNullOrEmpty(value) ? "" : char.ToUpperInvariant(value[0]) + value[1..];

    public static FakeOffice.Person Person(JsonElement c) => new(Str(c, "address")!, Str(c, "displayName") ?? "");
    public static string Name(JsonElement c) => Str(c, "displayName") ?? Str(c, "address")!;
}
