namespace MailRapport.Core;

/// <summary>Accumulates features per correspondent from interactions given in time order; memory grows with correspondents, not messages.</summary>
public sealed class ProfileBuilder
{
    internal ProfileBuilder(StageModelOptions options, IEnumerable<string> ownerAddresses, IReadOnlyDictionary<string, bool>? automatedOverrides)
    {
    }

    public void Add(Interaction interaction)
    {
        if (interaction.Message is { } m) Add(m);
        else if (interaction.Meeting is { } g) Add(g);
    }

    public void Add(MessageInteraction message) { }

    public void Add(MeetingInteraction meeting) { }

    public IReadOnlyList<ContactProfile> Build(DateTimeOffset asOf) => [];
}
