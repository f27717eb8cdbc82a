using MailRapport.Core;
using MailRapport.Core.Sample;
using Xunit.Abstractions;

namespace MailRapport.Core.Tests;

public sealed class SampleRecoveryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2026)]
    public void Model_recovers_the_intended_stage_for_at_least_90_percent_of_sample_correspondents(int seed)
    {
        var sample = SampleMailboxGenerator.Generate(new SampleOptions { Seed = seed });
        var profiles = new RelationshipModel(new StageModelOptions())
            .Compute([sample.OwnerAddress], [.. sample.Messages.Select(m => (Interaction)m), .. sample.Meetings.Select(m => (Interaction)m)], sample.End)
            .ToDictionary(p => p.Address);

        string Label(Stage stage, bool automated) => automated ? "Automated" : stage.ToString();
        var labels = new[] { "Contact", "Rapport", "Relationship", "Automated", "(missing)" };
        var matrix = labels.ToDictionary(l => l, _ => labels.ToDictionary(l => l, _ => 0));
        int correct = 0;
        var misses = new List<string>();
        foreach (var persona in sample.Personas)
        {
            var expected = Label(persona.ExpectedStage, persona.ExpectedAutomated);
            var actual = profiles.TryGetValue(persona.Address, out var p) ? Label(p.Stage, p.Flags.HasFlag(ContactFlags.Automated)) : "(missing)";
            matrix[expected][actual]++;
            bool nurtureOk = persona.ExpectedNurture is null || p?.Nurture == persona.ExpectedNurture;
            if (expected == actual && nurtureOk) correct++;
            else misses.Add($"{persona.Kind,-22} {persona.Address,-40} expected {expected}/{persona.ExpectedNurture} got {actual}/{p?.Nurture}: {string.Join(" ", p?.Reasons ?? [])}");
        }

        output.WriteLine($"seed {seed}: {correct}/{sample.Personas.Count} recovered (stage, and nurture where intended)");
        output.WriteLine($"{"expected \\ actual",-18}" + string.Concat(labels.Select(l => $"{l,14}")));
        foreach (var row in labels.Take(4))
            output.WriteLine($"{row,-18}" + string.Concat(labels.Select(c => $"{matrix[row][c],14}")));
        foreach (var miss in misses.Take(40)) output.WriteLine("miss: " + miss);

        Assert.True(correct >= 0.9 * sample.Personas.Count, $"only {correct} of {sample.Personas.Count} recovered");
    }
}
