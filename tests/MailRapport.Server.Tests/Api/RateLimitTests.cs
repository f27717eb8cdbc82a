using System.Net;
using MailRapport.Server.Tests.Support;

namespace MailRapport.Server.Tests.Api;

public sealed class RateLimitTests : IDisposable
{
    private readonly ServiceFactory factory = new(entra: true, requestsPerMinute: 5);
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
}
