using System.Net;
using MailRapport.Server.Api;
using MailRapport.Server.Tests.Support;

namespace MailRapport.Server.Tests.Api;

/// <summary>
/// Refusals decided before the endpoints (request line and header limits, the host filter) answer problem+json,
/// checked with real HTTP against the real service on loopback (Kestrel, not the in-memory test server).
/// </summary>
public sealed class ProblemResponseTests : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("mailrapport-problems-").FullName;
    private ServiceProcess service = null!;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        service = new ServiceProcess("problems", directory, new Dictionary<string, string>
        {
            ["Store:Path"] = Path.Combine(directory, "mailrapport.db"),
            ["Sample:Correspondents"] = "10",
        });
        http.BaseAddress = new Uri(service.Url);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            if (service.HasExited) throw new InvalidOperationException("mailrapport serve exited:\n" + service.Output);
            try
            {
                if ((await http.GetAsync("/health/live")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline) { } // not listening yet
            await Task.Delay(200);
        }
    }

    public Task DisposeAsync()
    {
        http.Dispose();
        service.Dispose();
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, (await response.ReadAsync<ProblemBody>()).Status);
    }

    [Fact]
    public async Task A_too_long_url_is_414_problem_json()
    {
        var query = new string('a', RequestLimits.MaxTargetLength + 100);
        await AssertProblemAsync(await http.GetAsync("/api/contacts?q=" + query), HttpStatusCode.RequestUriTooLong);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/contacts?q=" + query[..1000])).StatusCode);
    }

    [Fact]
    public async Task Too_large_headers_are_431_problem_json()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Add("X-Padding", new string('a', RequestLimits.MaxHeadersLength + 100));
        await AssertProblemAsync(await http.SendAsync(request), HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task A_host_name_the_service_does_not_answer_for_is_400_problem_json()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Host = "attacker.example";
        var response = await http.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.DoesNotContain("<HTML", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
