namespace MailRapport.Core.Tests;

public sealed class AutomatedSenderTests
{
    [Theory]
    [InlineData("noreply@shop.example", true)]
    [InlineData("no-reply@shop.example", true)]
    [InlineData("No_Reply@Shop.example", true)]
    [InlineData("donotreply@bank.example", true)]
    [InlineData("notifications@github.example", true)]
    [InlineData("mailer-daemon@mx.example", true)]
    [InlineData("newsletter@paper.example", true)]
    [InlineData("jane.doe@partner.example", false)]
    [InlineData("nora.eply@partner.example", false)]
    [InlineData("info@partner.example", false)]
    public void Machine_like_addresses_are_set_apart(string address, bool automated)
    {
        var p = new History().In(address, 1).Profile(address, 2);
        Assert.Equal(automated, p.Flags.HasFlag(ContactFlags.Automated));
        Assert.Equal(automated, p.AutomatedReason is not null);
        if (automated) Assert.Equal(0, p.Strength);
    }

    [Theory]
    [InlineData(AutomationMarkers.ListUnsubscribe, "List-Unsubscribe")]
    [InlineData(AutomationMarkers.ListId, "List-Id")]
    [InlineData(AutomationMarkers.PrecedenceBulk, "Precedence: bulk")]
    [InlineData(AutomationMarkers.AutoSubmitted, "Auto-Submitted")]
    public void List_and_bulk_headers_set_a_sender_apart_with_the_reason(AutomationMarkers marker, string shown)
    {
        const string sender = "hello@brand.example";
        var h = new History().In(sender, 1, markers: marker).In(sender, 8, markers: marker).In(sender, 15);
        var p = h.Profile(sender, 20);
        Assert.True(p.Flags.HasFlag(ContactFlags.Automated));
        Assert.Contains(shown, p.AutomatedReason);
        Assert.Contains("2 of 3", p.AutomatedReason);
    }

    [Fact]
    public void Headers_do_not_set_apart_someone_the_owner_really_writes_with()
    {
        const string sender = "maintainer@project.example";
        var h = new History();
        for (int i = 0; i < 5; i++) h.In(sender, i * 5, $"t{i}", AutomationMarkers.ListId).Out(sender, i * 5 + 0.1, $"t{i}");
        Assert.False(h.Profile(sender, 30).Flags.HasFlag(ContactFlags.Automated));
    }

    [Fact]
    public void One_way_mass_mail_is_set_apart_but_direct_cold_mail_is_not()
    {
        var mass = new History();
        var cold = new History();
        for (int i = 0; i < 6; i++)
        {
            mass.In("ceo-office@corp.example", i * 10, ownerRole: RecipientRole.Bcc);
            cold.In("sales.rep@vendor.example", i * 10);
        }
        var m = mass.Profile("ceo-office@corp.example", 70);
        var c = cold.Profile("sales.rep@vendor.example", 70);
        Assert.True(m.Flags.HasFlag(ContactFlags.Automated));
        Assert.Contains("mass mail", m.AutomatedReason);
        Assert.Equal(ContactFlags.OneWayInbound, c.Flags);
    }

    [Fact]
    public void The_user_can_override_per_address_both_ways()
    {
        var h = new History().In("noreply@team.example", 1).In("jane@partner.example", 1);
        var profiles = h.Profiles(2, overrides: new Dictionary<string, bool> { ["noreply@team.example"] = false, ["jane@partner.example"] = true });
        Assert.False(profiles.Single(p => p.Address == "noreply@team.example").Flags.HasFlag(ContactFlags.Automated));
        var jane = profiles.Single(p => p.Address == "jane@partner.example");
        Assert.True(jane.Flags.HasFlag(ContactFlags.Automated));
        Assert.Contains("you marked", jane.AutomatedReason);
    }
}
