namespace MailRapport.Core.Tests;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("Jane.Doe@Example.COM", "jane.doe@example.com")]
    [InlineData("  <jane@x.org>  ", "jane@x.org")]
    [InlineData("mailto:Jane@X.org", "jane@x.org")]
    [InlineData("'jane@x.org'", "jane@x.org")]
    [InlineData("no-at-sign", null)]
    [InlineData("@x.org", null)]
    [InlineData("jane@", null)]
    [InlineData("jane doe@x.org", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    // One rule for every boundary: what may not be stored is not an address (was a second call at each boundary).
    [InlineData("jane\u202E@x.org", null)]
    [InlineData("<Jane\u200B@X.org>", null)]
    [InlineData("jane\u0000@x.org", null)]
    [InlineData("Ann.Lee@Contoso.COM", "ann.lee@contoso.com")]
    public void Normalize(string? raw, string? expected) => Assert.Equal(expected, EmailAddress.Normalize(raw));

    [Fact]
    public void Normalize_refuses_addresses_too_long_to_store()
    {
        var longest = new string('x', DisplayText.MaxAddressLength - "@corp.com".Length) + "@corp.com";
        Assert.Equal(longest, EmailAddress.Normalize(longest));
        Assert.Null(EmailAddress.Normalize("x" + longest));
        Assert.Null(EmailAddress.Normalize("X" + longest)); // the slow path too
    }

    [Theory]
    [InlineData("jane@x.org", "jane@x.org", null)]
    [InlineData("Jane Doe <Jane@X.org>", "jane@x.org", "Jane Doe")]
    [InlineData("\"Doe, Jane\" <jane@x.org>", "jane@x.org", "Doe, Jane")]
    [InlineData("\"Jane \\\"JD\\\" Doe\" <jane@x.org>", "jane@x.org", "Jane \"JD\" Doe")]
    [InlineData("jane@x.org (Jane Doe)", "jane@x.org", "Jane Doe")]
    [InlineData("<jane@x.org>", "jane@x.org", null)]
    [InlineData("'jane@x.org' <jane@x.org>", "jane@x.org", null)]
    public void ParseOne_keeps_display_name_apart(string text, string address, string? name)
    {
        var parsed = EmailAddress.ParseOne(text);
        Assert.NotNull(parsed);
        Assert.Equal(address, parsed.Value.Address);
        Assert.Equal(name, parsed.Value.DisplayName);
    }

    [Theory]
    [InlineData("a@x.org, b@x.org", "a@x.org|b@x.org")]
    [InlineData("\"Doe, Jane\" <jane@x.org>, \"Roe, Rick\" <rick@x.org>", "jane@x.org|rick@x.org")]
    [InlineData("team: a@x.org, b@x.org;, c@x.org", "a@x.org|b@x.org|c@x.org")]
    [InlineData("undisclosed-recipients:;", "")]
    [InlineData("a@x.org,, ,b@x.org", "a@x.org|b@x.org")]
    [InlineData("Jane <jane@x.org>, not an address, bob@y.org", "jane@x.org|bob@y.org")]
    [InlineData("a@x.org (comment, with comma), b@x.org", "a@x.org|b@x.org")]
    public void ParseList_splits_only_where_the_grammar_does(string text, string expected)
    {
        var addresses = string.Join("|", EmailAddress.ParseList(text).Select(a => a.Address));
        Assert.Equal(expected, addresses);
    }

    [Theory]
    [InlineData("Jane Doe", "jane@x.org", "Jane Doe")]
    [InlineData("  \"Doe, Jane\" ", "jane@x.org", "Doe, Jane")]
    [InlineData("Jane@X.org", "jane@x.org", null)]      // only repeats the address
    [InlineData("'jane@x.org'", "jane@x.org", null)]
    [InlineData("bob@x.org", "jane@x.org", "bob@x.org")] // another address is a name worth keeping
    [InlineData("Jane\u202E Doe", "jane@x.org", "Jane Doe")]
    [InlineData("  ", "jane@x.org", null)]
    [InlineData(null, "jane@x.org", null)]
    public void Display_name_next_to_an_address(string? raw, string address, string? expected) =>
        Assert.Equal(expected, EmailAddress.DisplayNameFor(raw, address));
}
