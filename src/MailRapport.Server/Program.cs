using MailRapport.Server.Api;
using MailRapport.Server.Auth;
using MailRapport.Server.Cli;
using MailRapport.Server.Hosting;
using MailRapport.Server.Notifications;
using MailRapport.Server.Observability;
using MailRapport.Server.Pane;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;

// `mailrapport serve` (or no command) runs the service; any other command goes to the command line.
if (!ServeCommand.IsServe(args))
    return await CliApp.RunAsync(args);

var builder = WebApplication.CreateBuilder(ServeCommand.HostArgs(args));
builder.AddMailRapport(); // what every command shares: mode, options, storage, stage model, scanning, scheduling
builder.AddObservability();
builder.AddApiAuth();
builder.AddApi();
builder.AddPane();
builder.AddRequestLimits();

var app = builder.Build();
// Every option checked before anything reads one, then the store: one line naming the setting or file, not a start-up trace.
if ((app.ConfigurationProblem() ?? await app.PrepareStoreAsync()) is { } problem)
{
    await Console.Error.WriteLineAsync(problem);
    return 1;
}
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseRateLimiter(); // before authorization, so refused callers are limited too
app.UseAuthorization();
app.UseCallerMailbox(); // finds (or enrols) the caller's mailbox for the API's endpoints

app.MapOpenApi();
app.MapHealth();
app.MapContactsApi();
app.MapMeApi();
app.MapFeedbackApi();
app.MapStageMonthsApi();
app.MapPane();
app.MapJobsDashboard();
app.MapGraphNotifications(); // Graph's change notifications (off without Graph:Notifications:PublicUrl)
app.UseStaticFiles(); // an optional wwwroot beside the service (operators' own files; the API benchmark's baseline); none by default

await app.RunAsync();
return 0;

public partial class Program;
