using MailRapport.Server.Api;
using MailRapport.Server.Auth;
using MailRapport.Server.Cli;
using MailRapport.Server.Observability;
using MailRapport.Server.Pane;
using MailRapport.Server.Scanning;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;

// `mailrapport serve` (or no command) runs the service; any other command goes to the command line.
if (!ServeCommand.IsServe(args))
    return await CliApp.RunAsync(args);

var builder = WebApplication.CreateBuilder(ServeCommand.HostArgs(args));
builder.AddObservability();
builder.AddStorage();
builder.AddScanning();
builder.AddScheduling();
builder.AddApiAuth();
builder.AddApi();
builder.AddRequestLimits();

var app = builder.Build();
if (await app.PrepareStoreAsync() is { } storeProblem)
{
    await Console.Error.WriteLineAsync(storeProblem); // one line naming the file, not a host start-up trace
    return 1;
}
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseRateLimiter(); // before authorization, so refused callers are limited too
app.UseAuthorization();

app.MapOpenApi();
app.MapHealth();
app.MapContactsApi();
app.MapMeApi();
app.MapFeedbackApi();
app.MapStageMonthsApi();
app.MapPane();
app.MapJobsDashboard();
app.UseStaticFiles(); // an optional wwwroot beside the service (operators' own files; the API benchmark's baseline); none by default

await app.RunAsync();
return 0;

public partial class Program;
