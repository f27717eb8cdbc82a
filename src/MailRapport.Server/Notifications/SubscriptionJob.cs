using System.ComponentModel;
using Hangfire;

namespace MailRapport.Server.Notifications;

/// <summary>The Hangfire jobs of change notifications, kept thin: all the work is in <see cref="SubscriptionManager"/>.</summary>
public sealed class SubscriptionJob(SubscriptionManager subscriptions)
{
    public const string MaintainJobId = "graph-subscriptions";

    [DisplayName("Graph subscriptions: renew, create missing, delete erased")]
    [AutomaticRetry(Attempts = 0)] // the next run comes within minutes
    public Task MaintainAsync(CancellationToken ct) => subscriptions.MaintainAsync(ct);

    [DisplayName("Subscribe {0} to change notifications")]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [30, 120, 600])]
    public Task EnsureAsync(string mailboxId, CancellationToken ct) => subscriptions.EnsureAsync(mailboxId, ct);

    [DisplayName("Lifecycle notification {1} for subscription {0}")]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [30, 120, 600])]
    public async Task LifecycleAsync(string subscriptionId, string lifecycleEvent, CancellationToken ct)
    {
        switch (lifecycleEvent)
        {
            case LifecycleEvents.ReauthorizationRequired:
                await subscriptions.ReauthorizeAsync(subscriptionId, ct);
                break;
            case LifecycleEvents.SubscriptionRemoved:
                await subscriptions.RecreateAsync(subscriptionId, ct);
                break;
            case LifecycleEvents.Missed:
                await subscriptions.CatchUpAsync(subscriptionId, ct);
                break;
        }
    }
}
