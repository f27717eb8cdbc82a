namespace MailRapport.Core;

/// <summary>
/// Turns one mailbox's interaction history into a profile per correspondent.
/// Feed interactions in time order to a <see cref="ProfileBuilder"/>, then build as of an instant.
/// </summary>
public sealed class RelationshipModel(StageModelOptions options)
{
    public StageModelOptions Options => options;

    public ProfileBuilder CreateBuilder(IEnumerable<string> ownerAddresses, IReadOnlyDictionary<string, bool>? automatedOverrides = null) =>
        new(options, ownerAddresses, automatedOverrides);

    /// <summary>Convenience for in-memory histories: sorts, cuts at <paramref name="asOf"/> and builds.</summary>
    public IReadOnlyList<ContactProfile> Compute(IEnumerable<string> ownerAddresses, IEnumerable<Interaction> interactions,
        DateTimeOffset asOf, IReadOnlyDictionary<string, bool>? automatedOverrides = null)
    {
        var builder = CreateBuilder(ownerAddresses, automatedOverrides);
        foreach (var i in interactions.Where(i => i.Timestamp < asOf).OrderBy(i => i.Timestamp))
            builder.Add(i);
        return builder.Build(asOf);
    }
}
