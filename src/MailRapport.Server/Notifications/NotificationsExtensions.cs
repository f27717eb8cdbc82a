using Hangfire;
using MailRapport.Server.Auth;
using MailRapport.Server.Hosting;
using MailRapport.Server.Scheduling;
using MailRapport.Server.Storage;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Notifications;

/// <summary>
/// Near-real-time scans through Graph change notifications (docs/decisions/017): subscriptions per mailbox, the
/// endpoint Graph posts to, and a recurring maintenance job. Off until Graph:Notifications:PublicUrl is set; the
/// nightly delta scan stays the safety net either way.
/// </summary>
public static class NotificationsExtensions
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMailboxData<SubscriptionStore>(); // its tables exist in both modes, so erasure always covers them
        services.AddCheckedOptions<NotificationOptions>(NotificationOptions.Section);
        if (HostMode.Of(builder).IsLocal) return builder; // the sample mailbox has no Graph to subscribe to
        services.AddSingleton<NotificationCounts>();
        services.AddSingleton<SubscriptionManager>();
        services.AddSingleton<NotificationReceiver>();
        services.AddTransient<SubscriptionJob>();
        services.AddSingleton<IMailboxEnrolled, SubscribeOnEnrolment>();
        services.AddHostedService<NotificationStartup>(); // after the scheduling start-up, which registers the configured mailboxes
        return builder;
    }

    /// <summary>POST /graph/notifications and /graph/notifications/lifecycle: anonymous (Graph signs nothing; the client state is the check), not rate limited.</summary>
    public static WebApplication MapGraphNotifications(this WebApplication app)
    {
        if (app.Services.GetRequiredService<HostMode>().IsLocal || !app.Services.GetRequiredService<IOptions<NotificationOptions>>().Value.Enabled)
            return app;
        var group = app.MapGroup(NotificationOptions.NotificationPath).AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();
        group.MapPost("", (HttpContext http, NotificationReceiver receiver) => receiver.ReceiveAsync(http));
        group.MapPost("/lifecycle", (HttpContext http, NotificationReceiver receiver) => receiver.ReceiveAsync(http));
        return app;
    }

    /// <summary>A newly enrolled mailbox is subscribed by a job (Graph calls the endpoint back before it answers; the user's request does not wait).</summary>
    private sealed class SubscribeOnEnrolment(IBackgroundJobClient jobs, IOptions<NotificationOptions> options) : IMailboxEnrolled
    {
        public Task EnrolledAsync(string mailboxId, CancellationToken ct)
        {
            if (options.Value.Enabled) jobs.Enqueue<SubscriptionJob>(j => j.EnsureAsync(mailboxId, CancellationToken.None));
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// At start: the recurring maintenance job (every few minutes), and one run now, which subscribes the configured
    /// mailboxes and renews what expired while no host ran. Without a public URL, the recurring job is removed.
    /// </summary>
    private sealed class NotificationStartup(IRecurringJobManager recurring, IBackgroundJobClient jobs, IOptions<NotificationOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            if (!options.Value.Enabled)
            {
                recurring.RemoveIfExists(SubscriptionJob.MaintainJobId);
                return Task.CompletedTask;
            }
            recurring.AddOrUpdate<SubscriptionJob>(SubscriptionJob.MaintainJobId, j => j.MaintainAsync(CancellationToken.None),
                $"*/{options.Value.MaintainEveryMinutes} * * * *");
            jobs.Enqueue<SubscriptionJob>(j => j.MaintainAsync(CancellationToken.None));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
