namespace MailRapport.Core.Sample;

/// <summary>Names and addresses for the sample's people and services, each address used once.</summary>
internal sealed class SampleAddressBook(Random rng)
{
    private readonly HashSet<string> _addresses = new(StringComparer.Ordinal);

    private static readonly string[] FirstNames =
    [
        "Maria", "Jonas", "Priya", "Tomás", "Aiko", "Lena", "Omar", "Grace", "Mateo", "Sofia", "Ravi", "Hannah", "Kwame", "Elif",
        "Noah", "Ines", "Yuki", "Daniel", "Amara", "Lucas", "Chen", "Olivia", "Fatima", "Erik", "Zara", "Pablo", "Mei", "Samuel",
    ];

    private static readonly string[] LastNames =
    [
        "Garcia", "Becker", "Sharma", "Silva", "Tanaka", "Novak", "Haddad", "Okafor", "Rossi", "Lindqvist", "Kim", "Dubois",
        "Mensah", "Yilmaz", "Walsh", "Costa", "Ito", "Fischer", "Nwosu", "Moreau", "Wang", "Brennan", "Rahman", "Berg",
    ];

    public static readonly string[] Companies = ["fabrikam", "northwind", "adventure-works", "tailspin", "litware", "wingtip", "proseware", "woodgrove"];

    public (string Address, string Name) NewPerson(string company)
    {
        while (true)
        {
            var first = FirstNames[rng.Next(FirstNames.Length)];
            var last = LastNames[rng.Next(LastNames.Length)];
            var local = $"{first}.{last}".ToLowerInvariant().Replace("á", "a").Replace("é", "e");
            var address = $"{local}@{company}.example";
            for (int i = 2; !_addresses.Add(address); i++) address = $"{local}{i}@{company}.example";
            return (address, $"{first} {last}");
        }
    }

    public (string Address, string Name) NewService(string[] localParts, string? company = null)
    {
        var local = localParts[rng.Next(localParts.Length)];
        var domain = company ?? Companies[rng.Next(Companies.Length)] + "-mail";
        var address = $"{local}@{domain}.example";
        for (int i = 2; !_addresses.Add(address); i++) address = $"{local}{i}@{domain}.example";
        var name = char.ToUpperInvariant(domain[0]) + domain[1..].Replace("-mail", "") + " " + local.Replace("-", " ");
        return (address, name);
    }
}
