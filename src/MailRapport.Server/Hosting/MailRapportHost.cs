using MailRapport.Core;
using MailRapport.Server.Auth;
using MailRapport.Server.Import;
using MailRapport.Server.Notifications;
using MailRapport.Server.Sample;
using MailRapport.Server.Scanning;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Hosting;

/// <summary>
/// The one composition root. `mailrapport serve` and every command that reads or writes mailboxes register the same
/// services through <see cref="AddMailRapport"/>; the service adds what only a running service needs on top
/// (telemetry export, sign-in, API, pane), a command builds the host without starting it, so no web server, Hangfire
/// server or other hosted service runs for it.
/// </summary>
public static class MailRapportHost
{
    /// <summary>The mode (decided once), the store, the stage model, the mail source and the scan schedule, each with its options checked at start.</summary>
    public static IHostApplicationBuilder AddMailRapport(this IHostApplicationBuilder builder)
    {
        HostMode.Of(builder);
        builder.AddStageModel();
        builder.AddStorage();
        builder.AddScanning();
        builder.AddScheduling();
        builder.AddNotifications();
        builder.Services.AddSingleton<MailImporter>();
        builder.Services.AddSingleton<SampleMailboxLoader>();
        return builder;
    }

    /// <summary>The stage model's weights and thresholds, bound from "StageModel" and checked (<see cref="StageModelOptions.Validate"/>).</summary>
    public static IHostApplicationBuilder AddStageModel(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCheckedOptions<StageModelOptions>(StageModelOptions.Section);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<StageModelOptions>>().Value);
        builder.Services.AddSingleton<RelationshipModel>();
        return builder;
    }
}
