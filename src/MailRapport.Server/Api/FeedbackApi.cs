using System.Text.Json;
using System.Text.Json.Serialization;
using MailRapport.Core;
using MailRapport.Server.Auth;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MailRapport.Server.Api;

/// <summary>
/// "Is this right?": the user's answer about a contact's stage (right / closer / less / not a person), one per contact,
/// and the list of answers with whether the current stage agrees. "Not a person" makes the contact an automated sender.
/// </summary>
public static class FeedbackApi
{
    public static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var contact = app.MapGroup("/api/contacts/{address}/feedback").WithTags("Feedback").RequireApiCaller();
        contact.MapGet("/", GetFeedback).WithSummary("The caller's answer about this contact's stage (204 when none).");
        contact.MapPut("/", SetFeedback).WithSummary("Answers \"Is this right?\" for this contact: right, closer, less or notAPerson (replaces an earlier answer).");
        contact.MapDelete("/", RemoveFeedback).WithSummary("Forgets the answer about this contact.");
        app.MapGroup("/api/feedback").WithTags("Feedback").RequireApiCaller()
            .MapGet("/", ListFeedback).WithSummary("Every answer in the caller's mailbox, newest first, with whether the current stage agrees.");
        return app;
    }

    public sealed record FeedbackRequest(string? Answer);

    /// <summary>An answer, the stage it was given about, and the contact's stage now (null when no longer stored).</summary>
    public sealed record FeedbackResponse(string Address, FeedbackAnswer Answer, Stage ShownStage, bool ShownAutomated, DateTimeOffset AnsweredAt,
        Stage? Stage, bool? Automated, bool? Agrees);

    public sealed record FeedbackList(int Answers, int Agreeing, IReadOnlyList<FeedbackResponse> Items);

    private static readonly string[] AnswerNames = Enum.GetNames<FeedbackAnswer>().Select(JsonNamingPolicy.CamelCase.ConvertName).ToArray();

    internal static async Task<Results<JsonHttpResult<FeedbackResponse>, NoContent, ProblemHttpResult>> GetFeedback(
        string address, CallerMailbox caller, FeedbackStore feedback, ProfileStore profileStore, CancellationToken ct)
    {
        if (EmailAddress.Normalize(address) is not { } normalized) return NotAnAddress(address);
        var answer = await feedback.GetAsync(caller.MailboxId, normalized, ct);
        if (answer is null) return TypedResults.NoContent();
        return TypedResults.Json(await DescribeAsync(answer, profileStore, caller.MailboxId, ct), Json);
    }

    internal static async Task<Results<JsonHttpResult<FeedbackResponse>, ValidationProblem, ProblemHttpResult>> SetFeedback(
        string address, FeedbackRequest? request, CallerMailbox caller, FeedbackStore feedback, ProfileStore profileStore, ProfileService profiles,
        TimeProvider clock, CancellationToken ct)
    {
        if (EmailAddress.Normalize(address) is not { } normalized) return NotAnAddress(address);
        var name = AnswerNames.FirstOrDefault(n => n.Equals(request?.Answer, StringComparison.OrdinalIgnoreCase));
        if (name is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["answer"] = [$"answer must be one of {string.Join(", ", AnswerNames)}."] },
                title: "Invalid answer");
        var answer = Enum.Parse<FeedbackAnswer>(name, ignoreCase: true);
        if (await profileStore.StageOfAsync(caller.MailboxId, normalized, ct) is not { } shown)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Contact not found",
                detail: $"No mail or meeting with {normalized} has been seen in your mailbox.");
        var before = await feedback.GetAsync(caller.MailboxId, normalized, ct);
        var stored = new StoredFeedback(normalized, answer, shown.Stage, shown.Automated, clock.GetUtcNow());
        await feedback.SetAsync(caller.MailboxId, stored, ct);
        // "Not a person" is the automated-sender override: the stages change at once, not at the next scan.
        if (answer == FeedbackAnswer.NotAPerson || before?.Answer == FeedbackAnswer.NotAPerson)
            await profiles.RecomputeAsync(caller.MailboxId, clock.GetUtcNow(), ct);
        return TypedResults.Json(await DescribeAsync(stored, profileStore, caller.MailboxId, ct), Json);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveFeedback(
        string address, CallerMailbox caller, FeedbackStore feedback, ProfileService profiles, TimeProvider clock, CancellationToken ct)
    {
        if (EmailAddress.Normalize(address) is not { } normalized) return NotAnAddress(address);
        var before = await feedback.GetAsync(caller.MailboxId, normalized, ct);
        if (before is null || !await feedback.RemoveAsync(caller.MailboxId, normalized, ct))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No answer", detail: $"You have not answered about {normalized}.");
        if (before.Answer == FeedbackAnswer.NotAPerson)
            await profiles.RecomputeAsync(caller.MailboxId, clock.GetUtcNow(), ct);
        return TypedResults.NoContent();
    }

    internal static async Task<JsonHttpResult<FeedbackList>> ListFeedback(CallerMailbox caller, FeedbackStore feedback, ProfileStore profileStore, CancellationToken ct)
    {
        var items = new List<FeedbackResponse>();
        foreach (var answer in await feedback.ListAsync(caller.MailboxId, ct))
            items.Add(await DescribeAsync(answer, profileStore, caller.MailboxId, ct));
        return TypedResults.Json(new FeedbackList(items.Count, items.Count(i => i.Agrees == true), items), Json);
    }

    private static async Task<FeedbackResponse> DescribeAsync(StoredFeedback answer, ProfileStore profileStore, string mailboxId, CancellationToken ct)
    {
        var now = await profileStore.StageOfAsync(mailboxId, answer.Address, ct);
        return new FeedbackResponse(answer.Address, answer.Answer, answer.ShownStage, answer.ShownAutomated, answer.AnsweredAt,
            now?.Stage, now?.Automated,
            now is { } n ? StageFeedback.Agrees(answer.Answer, answer.ShownStage, answer.ShownAutomated, n.Stage, n.Automated) : null);
    }

    /// <summary>camelCase with the answer and stages as camelCase strings, as the pane reads them.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static ProblemHttpResult NotAnAddress(string address) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a mail address",
            detail: $"'{(address.Length > 100 ? address[..100] + "…" : address)}' is not a mail address.");
}
