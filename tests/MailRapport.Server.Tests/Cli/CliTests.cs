using System.Text.Json;
using MailRapport.Server.Tests.Infrastructure;

namespace MailRapport.Server.Tests.Cli;

/// <summary>The CLI end to end: the built executable against a SQLite file in a temp folder, sample built once.</summary>
public sealed class CliFixture : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("mailrapport-cli-").FullName;
    public string Db => Path.Combine(Directory, "store", "test.db");

    public async Task InitializeAsync()
    {
        var result = await CliRunner.RunAsync(Directory, "sample", "--db", Db, "--seed", "3");
        Assert.True(result.ExitCode == 0, result.Error);
    }

    public Task DisposeAsync()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

public sealed class CliTests(CliFixture cli) : IClassFixture<CliFixture>
{
    private Task<CliRunner.Result> Run(params string[] args) => CliRunner.RunAsync(cli.Directory, [.. args, "--db", cli.Db]);

    [Fact]
    public async Task Contacts_json_has_the_shared_contact_shape_and_keeps_automated_senders_out()
    {
        var result = await Run("contacts", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Out);
        var contacts = doc.RootElement.EnumerateArray().ToList();
        Assert.True(contacts.Count > 100, $"{contacts.Count} contacts");
        foreach (var c in contacts)
        {
            foreach (var field in new[] { "address", "displayName", "stage", "nurture", "flags", "harmony", "depth", "strength", "evidence", "reasons", "nextStep" })
                Assert.True(c.TryGetProperty(field, out _), $"missing {field}");
            foreach (var field in new[] { "messagesSent", "messagesReceived", "sharedThreads", "sharedMeetings", "meetingHours", "firstInteraction", "lastInteraction", "medianReplyHoursMine", "medianReplyHoursTheirs" })
                Assert.True(c.GetProperty("evidence").TryGetProperty(field, out _), $"missing evidence.{field}");
            Assert.Contains(c.GetProperty("stage").GetString(), new[] { "contact", "rapport", "relationship" });
            Assert.DoesNotContain("automated", c.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        }
        Assert.Contains(contacts, c => c.GetProperty("stage").GetString() == "relationship");

        var all = await Run("contacts", "--format", "json", "--include-automated");
        using var allDoc = JsonDocument.Parse(all.Out);
        var automated = allDoc.RootElement.EnumerateArray().Where(c => c.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "automated")).ToList();
        Assert.NotEmpty(automated);
        Assert.All(automated, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("automatedReason").GetString())));
    }

    [Theory]
    [InlineData("contact")]
    [InlineData("rapport")]
    [InlineData("relationship")]
    public async Task Stage_filter_returns_only_that_stage(string stage)
    {
        var result = await Run("contacts", "--stage", stage, "--format", "json");
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Out);
        Assert.NotEmpty(doc.RootElement.EnumerateArray());
        Assert.All(doc.RootElement.EnumerateArray(), c => Assert.Equal(stage, c.GetProperty("stage").GetString()));
    }

    [Fact]
    public async Task Csv_and_table_list_the_same_contacts()
    {
        var csv = await Run("contacts", "--format", "csv");
        var json = await Run("contacts", "--format", "json");
        var table = await Run("contacts");
        var lines = csv.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("address,displayName,stage,nurture", lines[0]);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(doc.RootElement.GetArrayLength(), lines.Length - 1);
        Assert.Contains("Relationship", table.Out);
        Assert.Contains("relationships,", table.Out);
    }

    [Fact]
    public async Task As_of_a_date_before_the_mailbox_shows_nothing_and_earlier_dates_show_less()
    {
        var before = await Run("contacts", "--format", "json", "--as-of", "2000-01-01");
        Assert.Equal(0, before.ExitCode);
        Assert.Equal("[]", before.Out.Trim());

        var now = JsonDocument.Parse((await Run("contacts", "--format", "json")).Out).RootElement.GetArrayLength();
        var asOf = DateTime.UtcNow.AddYears(-1).ToString("yyyy-MM-dd");
        var then = JsonDocument.Parse((await Run("contacts", "--format", "json", "--as-of", asOf)).Out).RootElement;
        Assert.InRange(then.GetArrayLength(), 1, now - 1);
        Assert.All(then.EnumerateArray(), c =>
            Assert.True(c.GetProperty("evidence").GetProperty("lastInteraction").GetDateTimeOffset() < DateTimeOffset.Parse(asOf + "T00:00:00Z")));
    }

    [Fact]
    public async Task Summary_shows_stage_evidence_reasons_next_step_and_a_monthly_sparkline()
    {
        var json = JsonDocument.Parse((await Run("contacts", "--stage", "relationship", "--format", "json")).Out);
        var address = json.RootElement[0].GetProperty("address").GetString()!;
        var text = await Run("summary", address);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("Stage: Relationship", text.Out);
        Assert.Contains("Why:", text.Out);
        Assert.Contains("Next step:", text.Out);
        Assert.Contains("messages ", text.Out);
        Assert.Matches("[▁▂▃▄▅▆▇█]{6,}", text.Out);
        // The sample keeps received mail only for its last months: the summary says what the mailbox holds.
        Assert.Matches("Mailbox: received mail stored [A-Z][a-z]{2} \\d{4}–[A-Z][a-z]{2} \\d{4} only; sent mail stored", text.Out);

        var asJson = await Run("summary", address.ToUpperInvariant(), "--format", "json");
        using var doc = JsonDocument.Parse(asJson.Out);
        Assert.Equal(address, doc.RootElement.GetProperty("address").GetString());
        Assert.True(doc.RootElement.GetProperty("timeline").GetArrayLength() > 6);
    }

    [Fact]
    public async Task Summary_has_the_follow_up_lines_the_pane_shows_in_its_order()
    {
        static IEnumerable<string> Lines(JsonElement c) =>
            new[] { c.GetProperty("waitingOnYou"), c.GetProperty("waitingOnThem"), c.GetProperty("nextContact"),
                    c.GetProperty("replyDrift").GetProperty("theirs"), c.GetProperty("replyDrift").GetProperty("mine") }
                .Select(x => x.GetProperty("summary")).Where(x => x.ValueKind == JsonValueKind.String && x.GetString()!.Trim().Length > 0)
                .Select(x => x.GetString()!);
        var contacts = JsonDocument.Parse((await Run("contacts", "--format", "json")).Out).RootElement.EnumerateArray().ToList();
        // The contacts with the most follow-up lines, and one waiting on each side if the sample has them.
        var picked = contacts.OrderByDescending(c => Lines(c).Count()).Take(2)
            .Concat(contacts.Where(c => c.GetProperty("waitingOnYou").GetProperty("threads").GetInt32() > 0).Take(1))
            .Concat(contacts.Where(c => c.GetProperty("waitingOnThem").GetProperty("threads").GetInt32() > 0).Take(1)).ToList();
        Assert.True(Lines(picked[0]).Count() >= 2, "the sample has a contact with several follow-up lines");
        foreach (var contact in picked)
        {
            var address = contact.GetProperty("address").GetString()!;
            var expected = Lines(contact).ToList();
            var text = await Run("summary", address);
            Assert.Equal(0, text.ExitCode);
            var lines = text.Out.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var start = lines.IndexOf("Follow-up:");
            Assert.True(start > lines.FindIndex(l => l.StartsWith("Next step:", StringComparison.Ordinal)), text.Out);
            Assert.Equal(expected.Select(l => "  - " + l), lines.Skip(start + 1).Take(expected.Count));
        }
    }

    [Theory]
    [InlineData(new[] { "summary", "not-an-address" }, 2, "is not an e-mail address")]
    [InlineData(new[] { "summary", "nobody@nowhere.example" }, 1, "No interactions with nobody@nowhere.example")]
    [InlineData(new[] { "contacts", "--as-of", "yesterday-ish" }, 1, "is not a date")]
    [InlineData(new[] { "contacts", "--format", "xml" }, 1, "xml")]
    [InlineData(new[] { "contacts", "--mailbox", "someone-else" }, 2, "No mailbox 'someone-else'")]
    public async Task Bad_input_gets_a_clear_error(string[] args, int exitCode, string message)
    {
        var result = await Run(args);
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(message, result.Error + result.Out);
    }

    [Fact]
    public async Task An_empty_store_says_what_to_do()
    {
        var dir = Directory.CreateTempSubdirectory("mailrapport-empty-").FullName;
        var result = await CliRunner.RunAsync(dir, "contacts", "--db", Path.Combine(dir, "empty.db"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("mailrapport sample", result.Error);
    }
}

public sealed class MarkCommandTests
{
    [Fact]
    public async Task Marking_overrides_automated_detection_both_ways_and_auto_restores_it()
    {
        var dir = Directory.CreateTempSubdirectory("mailrapport-mark-").FullName;
        var db = Path.Combine(dir, "m.db");
        Assert.Equal(0, (await CliRunner.RunAsync(dir, "sample", "--db", db, "--seed", "5")).ExitCode);

        async Task<JsonElement> Contact(string address)
        {
            var r = await CliRunner.RunAsync(dir, "summary", address, "--db", db, "--format", "json");
            return JsonDocument.Parse(r.Out).RootElement.Clone();
        }
        static bool Automated(JsonElement c) => c.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "automated");

        var all = JsonDocument.Parse((await CliRunner.RunAsync(dir, "contacts", "--db", db, "--format", "json", "--include-automated")).Out).RootElement;
        var machine = all.EnumerateArray().First(Automated).GetProperty("address").GetString()!;
        var person = all.EnumerateArray().First(c => !Automated(c)).GetProperty("address").GetString()!;

        Assert.Equal(0, (await CliRunner.RunAsync(dir, "mark", machine, "person", "--db", db)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(dir, "mark", person, "automated", "--db", db)).ExitCode);
        Assert.False(Automated(await Contact(machine)));
        var marked = await Contact(person);
        Assert.True(Automated(marked));
        Assert.Contains("you marked", marked.GetProperty("automatedReason").GetString());

        Assert.Equal(0, (await CliRunner.RunAsync(dir, "mark", machine, "auto", "--db", db)).ExitCode);
        Assert.True(Automated(await Contact(machine)));
        var bad = await CliRunner.RunAsync(dir, "mark", machine, "robot", "--db", db);
        Assert.NotEqual(0, bad.ExitCode);
    }
}
