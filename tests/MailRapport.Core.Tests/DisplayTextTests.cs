namespace MailRapport.Core.Tests;

public sealed class DisplayTextTests
{
    [Theory]
    [InlineData("Jane Doe", "Jane Doe")]
    [InlineData("  Jane  ", "Jane")]
    [InlineData("Jane\0Doe", "Jane Doe")]
    [InlineData("Jane\r\n\tDoe", "Jane Doe")]
    [InlineData("Ann \u202Ecod.exe", "Ann cod.exe")]
    [InlineData("\u2066x\u2069\u200F\u200E\u061C\uFEFF\u200B", "x")]
    [InlineData("Zoë 🙂 Ng", "Zoë 🙂 Ng")]
    [InlineData("\0\u202E", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Names_lose_control_and_bidi_characters(string? raw, string? expected) => Assert.Equal(expected, DisplayText.Name(raw));

    [Fact]
    public void Names_are_capped_without_splitting_a_surrogate_pair()
    {
        Assert.Equal(DisplayText.MaxNameLength, DisplayText.Name(new string('A', 150 * 1024))!.Length);
        var emoji = DisplayText.Name(new string('A', DisplayText.MaxNameLength - 1) + "🙂")!;
        Assert.Equal(DisplayText.MaxNameLength - 1, emoji.Length);
        Assert.False(char.IsHighSurrogate(emoji[^1]));
    }

    [Theory]
    [InlineData("jane@x.com", "jane@x.com")]
    [InlineData("ja\0ne@x.com", null)]
    [InlineData("jane\u202E@x.com", null)]
    [InlineData("jane\u200B@x.com", null)]
    public void Addresses_with_hidden_characters_are_refused(string raw, string? expected) => Assert.Equal(expected, DisplayText.Address(raw));

    [Fact]
    public void Addresses_longer_than_rfc_limits_are_refused()
    {
        Assert.Null(DisplayText.Address(new string('x', DisplayText.MaxAddressLength - 8) + "@corp.com"));
        Assert.NotNull(DisplayText.Address(new string('x', 64) + "@corp.com"));
    }
}
