namespace MailRapport.Server.Tests;

/// <summary>Zone names resolve once: a calendar repeats the same few on every event.</summary>
public sealed class TimeZonesTests
{
    [Theory]
    [InlineData("UTC", 0)]
    [InlineData("Pacific Standard Time", -8)]
    [InlineData("Europe/Berlin", 1)]
    [InlineData("Central Time (US & Canada)", -6)]
    public void A_name_resolves_to_one_zone_every_time(string name, int standardHours)
    {
        var zone = TimeZones.FindNamed(name);
        Assert.NotNull(zone);
        Assert.Equal(TimeSpan.FromHours(standardHours), zone.BaseUtcOffset);
        Assert.Same(zone, TimeZones.FindNamed(name));
        Assert.Same(zone, TimeZones.Find(name));
    }

    [Theory]
    [InlineData("Not/A_Zone")]
    [InlineData("")]
    [InlineData(null)]
    public void An_unknown_name_stays_unknown(string? name)
    {
        Assert.Null(TimeZones.FindNamed(name));
        Assert.Null(TimeZones.FindNamed(name)); // and again, from the cache
    }
}
