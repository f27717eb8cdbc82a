using MailRapport.Core.Sample;
using MailRapport.FakeGraph;

namespace MailRapport.Server.Tests.Graph;

/// <summary>The lead's sample mailbox (personas for every stage) read through Graph gives the same profiles as loading it directly.</summary>
public sealed class SampleMailboxGraphTests
{
    [Fact]
    public async Task Sample_mailbox_through_graph_gives_the_profiles_of_a_direct_load()
    {
        var sample = SampleMailboxGenerator.Generate(new SampleOptions { End = GraphScanHarness.Now, Correspondents = 120 });
        Assert.NotEmpty(sample.Messages);
        var box = SyntheticMailbox.Build(sample.OwnerAddress, sample.Messages, sample.Meetings);
        await using var server = await FakeGraphServer.StartAsync(box);
        await using var harness = await GraphScanHarness.CreateAsync(server, o => o.PageSize = 50);

        await harness.ScanAsync(sample.OwnerAddress);

        var scanned = await harness.SnapshotAsync(sample.OwnerAddress);
        var direct = await harness.DirectLoadAsync(box);
        Assert.Equal(direct.Messages.Count, scanned.Messages.Count);
        LineAssert.Same(direct.Messages, scanned.Messages);
        LineAssert.Same(direct.Meetings, scanned.Meetings);
        var profiles = await harness.ProfilesJsonAsync(sample.OwnerAddress);
        using (var stored = System.Text.Json.JsonDocument.Parse(profiles))
            Assert.Contains(stored.RootElement.EnumerateArray(), p => p.GetProperty("stage").GetString() == "relationship");
        Assert.Equal(direct.Profiles, profiles);
    }
}
