using System.Net;
using MailRapport.Server.Tests.Support;

namespace MailRapport.Server.Tests.Api;

public sealed class RateLimitTests : IDisposable
{
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow);
    private readonly ServiceFactory factory;
    public RateLimitTests() => factory = new(entra: true, requestsPerMinute: 5) { Clock = clock };
    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task Over_the_limit_answers_429_per_user()
    {
        var alice = factory.ClientFor(TestTokens.Alice);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 8; i++)
            statuses.Add((await alice.GetAsync("/api/contacts")).StatusCode);
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        var limited = await alice.GetAsync("/api/contacts");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);

        // Bob has his own budget.
        Assert.Equal(HttpStatusCode.OK, (await factory.ClientFor(TestTokens.Bob).GetAsync("/api/contacts")).StatusCode);
    }

    [Fact]
    public async Task Retry_after_is_the_time_left_in_the_window()
    {
        var alice = factory.ClientFor(TestTokens.Alice);
        for (int i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/contacts")).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(45));
        var limited = await alice.GetAsync("/api/contacts");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(15), limited.Headers.RetryAfter?.Delta);

        clock.Advance(TimeSpan.FromSeconds(14.5));
        Assert.Equal(TimeSpan.FromSeconds(1), (await alice.GetAsync("/api/contacts")).Headers.RetryAfter?.Delta);
        clock.Advance(TimeSpan.FromSeconds(0.5)); // the next window
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/contacts")).StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_limited_per_client_address()
    {
        var anonymous = factory.CreateClient();
        var forged = factory.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "not.a.token");
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 3; i++) statuses.Add((await anonymous.GetAsync("/api/me")).StatusCode);
        for (int i = 0; i < 2; i++) statuses.Add((await forged.GetAsync("/api/contacts")).StatusCode);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));

        var limited = await anonymous.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        // A signed-in user from the same address has their own budget.
        Assert.Equal(HttpStatusCode.OK, (await factory.ClientFor(TestTokens.Alice).GetAsync("/api/me")).StatusCode);
    }
}
