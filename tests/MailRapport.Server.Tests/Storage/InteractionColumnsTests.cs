using MailRapport.Core;
using MailRapport.Server.Storage;

namespace MailRapport.Server.Tests.Storage;

/// <summary>The list columns are written with one writer reused per thread: each value must come out whole and alone.</summary>
public sealed class InteractionColumnsTests
{
    [Fact]
    public void Counterparts_and_attendees_round_trip_one_after_another_on_one_thread()
    {
        var many = Enumerable.Range(0, 300).Select(i => new Counterpart($"p{i}@example.com", i % 3 == 0 ? null : $"Zoë \"{i}\"", (RecipientRole)(i % 3))).ToList();
        IReadOnlyList<Counterpart>[] lists = [many, [new Counterpart("a@example.com", "A", RecipientRole.To)], [], many.Take(2).ToList()];
        foreach (var list in lists)
        {
            var json = InteractionColumns.SerializeCounterparts(list);
            Assert.Equal(list, InteractionColumns.DeserializeCounterparts(json));
        }
        var attendees = new List<Attendee> { new("b@example.com", null, AttendeeKind.Optional, AttendeeResponse.Declined), new("c@example.com", "C", AttendeeKind.Required, AttendeeResponse.Accepted) };
        Assert.Equal(attendees, InteractionColumns.DeserializeAttendees(InteractionColumns.SerializeAttendees(attendees)));
        Assert.Equal("[]", InteractionColumns.SerializeAttendees([]));
        Assert.Equal("""[["a@example.com","A",0]]""", InteractionColumns.SerializeCounterparts([new Counterpart("a@example.com", "A", RecipientRole.To)]));
    }

    [Fact]
    public async Task Threads_writing_at_once_each_get_their_own_value()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                var list = Enumerable.Range(0, i % 7).Select(k => new Counterpart($"t{t}-{k}@example.com", $"T{t}", RecipientRole.Cc)).ToList();
                if (!InteractionColumns.DeserializeCounterparts(InteractionColumns.SerializeCounterparts(list)).SequenceEqual(list)) return false;
            }
            return true;
        })));
        Assert.All(results, Assert.True);
    }
}
