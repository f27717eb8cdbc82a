using System.Text.Json;
using MailRapport.Core;
using MailRapport.Server.Auth;
using MailRapport.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MailRapport.Server.Api;

/// <summary>The caller's contacts: one contact with its timeline and stage history, and paged lists.</summary>
public static class ContactsApi
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;
    private static readonly string[] Sorts = ["strength", "-strength", "name", "-name", "address", "-address"];

    public static IEndpointRouteBuilder MapContactsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/contacts").WithTags("Contacts").RequireApiCaller();
        api.MapGet("/{address}", GetContact)
            .WithSummary("One contact as stored (stage, nurture, scores, evidence, monthly timeline) plus its stage history.")
            .Produces<ContactResponse>(StatusCodes.Status200OK, "application/json");
        api.MapGet("/", ListContacts)
            .WithSummary("The caller's contacts, filtered by stage and nurture, sorted and paged.")
            .Produces<ContactPage>(StatusCodes.Status200OK, "application/json");
        return app;
    }

    internal static async Task<Results<JsonHttpResult<ContactResponse>, ProblemHttpResult>> GetContact(
        string address, CallerMailbox caller, ProfileStore profiles, ContactResponseCache answers, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(address);
        if (normalized is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a mail address",
                detail: $"'{Truncate(address)}' is not a mail address.");
        if (await profiles.GetAsync(caller.MailboxId, normalized, ct) is not { } contact)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Contact not found",
                detail: $"No mail or meeting with {normalized} has been seen in your mailbox.");
        return TypedResults.Json(answers.Get(caller.MailboxId, normalized, contact), ApiJsonContext.Default.ContactResponse);
    }

    internal static async Task<Results<JsonHttpResult<ContactPage>, ValidationProblem>> ListContacts(
        CallerMailbox caller, ProfileStore profiles, CancellationToken ct,
        string? stage = null, string? nurture = null, string? sort = null, string? page = null, string? pageSize = null)
    {
        var errors = new Dictionary<string, string[]>();
        Stage? stageFilter = null;
        Nurture? nurtureFilter = null;
        if (stage is not null)
        {
            if (TryParseName<Stage>(stage, out var s)) stageFilter = s;
            else errors["stage"] = [$"stage must be one of {string.Join(", ", Names<Stage>())} (one value, not a list)."];
        }
        if (nurture is not null)
        {
            if (TryParseName<Nurture>(nurture, out var n)) nurtureFilter = n;
            else errors["nurture"] = [$"nurture must be one of {string.Join(", ", Names<Nurture>())} (one value, not a list)."];
        }
        var order = sort ?? "-strength";
        if (!Sorts.Contains(order, StringComparer.Ordinal))
            errors["sort"] = [$"sort must be one of {string.Join(", ", Sorts)}."];
        int pageNumber = 1, size = DefaultPageSize;
        if (page is not null && (!int.TryParse(page, System.Globalization.NumberStyles.None, null, out pageNumber) || pageNumber < 1 || pageNumber > 1_000_000))
            errors["page"] = ["page must be a whole number from 1 to 1000000."];
        if (pageSize is not null && (!int.TryParse(pageSize, System.Globalization.NumberStyles.None, null, out size) || size < 1 || size > MaxPageSize))
            errors["pageSize"] = [$"pageSize must be a whole number from 1 to {MaxPageSize}."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "Invalid query");

        var by = order.TrimStart('-') switch { "strength" => ContactSort.Strength, "name" => ContactSort.Name, _ => ContactSort.Address };
        var (total, items) = await profiles.ListAsync(caller.MailboxId,
            new ContactQuery(stageFilter, nurtureFilter, by, order.StartsWith('-'), pageNumber, size), ct);
        return TypedResults.Json(new ContactPage(pageNumber, size, total, items.Select(p => ContactMapping.ToResponse(p)).ToList()),
            ApiJsonContext.Default.ContactPage);
    }

    /// <summary>Exactly one of the enum's names (any case). Enum.TryParse would also take numbers and OR a comma list into one value.</summary>
    private static bool TryParseName<T>(string text, out T value) where T : struct, Enum
    {
        var name = Enum.GetNames<T>().FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
        value = name is null ? default : Enum.Parse<T>(name);
        return name is not null;
    }

    private static IEnumerable<string> Names<T>() where T : struct, Enum => Enum.GetNames<T>().Select(JsonNamingPolicy.CamelCase.ConvertName);

    private static string Truncate(string s) => s.Length > 100 ? s[..100] + "…" : s;
}
