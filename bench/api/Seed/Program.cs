// Stores N synthetic contact profiles (with a two-year timeline and stage history) for the local mailbox,
// so the API benchmark reads from a realistically sized store. Usage: ApiBenchSeed <sqlite-path> <count>
using Dapper;
using MailRapport.Core;
using MailRapport.Server.Storage;

var path = args.Length > 0 ? args[0] : "data/mailrapport.db";
var count = args.Length > 1 ? int.Parse(args[1]) : 100_000;
const string mailbox = "sample";

await using var store = MailStore.OpenSqlite(path);
await store.MigrateAsync();
var now = DateTimeOffset.UtcNow;
await new InteractionStore(store).UpsertMailboxAsync(new StoredMailbox(mailbox, ["owner@example.com"], "Owner", "bench", now));
var random = new Random(42);
Stage[] stages = [Stage.Contact, Stage.Rapport, Stage.Relationship];
Nurture[] nurtures = [Nurture.Active, Nurture.Cooling, Nurture.Dormant];

ContactProfile Make(int i)
{
    var stage = stages[i % 3];
    var months = Enumerable.Range(0, 24).Select(m => now.AddMonths(-23 + m))
        .Select(d => new MonthActivity(d.Year, d.Month, random.Next(0, 12), random.Next(0, 12), random.Next(0, 3))).ToList();
    return new ContactProfile
    {
        Address = $"person{i:D6}@company{i % 997}.example",
        DisplayName = $"Person {i}",
        Stage = stage,
        Nurture = nurtures[(i / 3) % 3],
        Harmony = random.Next(0, 101),
        Depth = random.Next(0, 101),
        Strength = random.Next(0, 101),
        Evidence = new Evidence
        {
            MessagesSent = random.Next(0, 200), MessagesReceived = random.Next(0, 200), SharedThreads = random.Next(0, 100),
            SharedMeetings = random.Next(0, 50), MeetingHours = Math.Round(random.NextDouble() * 40, 1),
            FirstInteraction = now.AddDays(-700), LastInteraction = now.AddDays(-random.Next(0, 60)),
            MedianReplyHoursMine = 3.2, MedianReplyHoursTheirs = 4.1, RepliesMine = 40, RepliesTheirs = 38, ActiveMonths = 20,
            SpanDays = 700, UsualGapDays = 6.5, SilenceDays = 3, LastSent = now.AddDays(-3), LastReceived = now.AddDays(-4),
        },
        Reasons = [$"{stage}: a two-way exchange sustained over many months.", "Mail both ways: 120 sent, 110 received.", "Median reply: you 3.2 h, they 4.1 h."],
        NextStep = "Keep the rhythm: you are usually in touch every 6 days.",
        AsOf = now,
        Timeline = months,
    };
}

await new ProfileStore(store).ReplaceAsync(mailbox, Enumerable.Range(0, count).Select(Make), MailboxCoverage.Empty, now);

await using (var connection = await store.OpenConnectionAsync())
await using (var tx = await connection.BeginTransactionAsync())
{
    for (int i = 0; i < count; i++)
    {
        var address = $"person{i:D6}@company{i % 997}.example";
        await connection.ExecuteAsync("INSERT INTO stage_history (mailbox_id, address, changed_at, stage, nurture) VALUES (@mailbox, @address, @at, 0, 0) ON CONFLICT DO NOTHING",
            new { mailbox, address, at = now.AddMonths(-20).ToUnixTimeMilliseconds() }, tx);
        if (i % 3 != 0)
            await connection.ExecuteAsync("INSERT INTO stage_history (mailbox_id, address, changed_at, stage, nurture) VALUES (@mailbox, @address, @at, @stage, 0) ON CONFLICT DO NOTHING",
                new { mailbox, address, at = now.AddMonths(-8).ToUnixTimeMilliseconds(), stage = i % 3 }, tx);
    }
    // Mark the mailbox as scanned so the service does not start a scan of its own during the run.
    await connection.ExecuteAsync("""
        INSERT INTO mailbox_registry (mailbox_id, origin, enrolled_at, scan_started_at, scan_finished_at, scan_running)
        VALUES (@mailbox, 'local', @at, @at, @at, 0) ON CONFLICT (mailbox_id) DO UPDATE SET scan_finished_at = excluded.scan_finished_at
        """, new { mailbox, at = now.ToUnixTimeMilliseconds() }, tx);
    await tx.CommitAsync();
}
Console.WriteLine($"stored {count} contacts for mailbox '{mailbox}' in {Path.GetFullPath(path)}");
