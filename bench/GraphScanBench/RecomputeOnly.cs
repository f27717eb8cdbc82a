using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailRapport.Core;
using MailRapport.FakeGraph;
using MailRapport.Server.Profiles;
using MailRapport.Server.Storage;

/// <summary>
/// `-- recompute-only`: the profile recompute that follows a first full scan, apart. The synthetic mailbox's messages
/// and meetings are stored with <see cref="InteractionStore"/> into two fresh stores; on each, the baseline (streaming
/// the rows back with ReadInteractionsAsync, nothing else) then RecomputeChangedAsync (no profiles yet: a full one).
/// The first store pays the JIT (cold), the second does not (warm). With `--dump FILE` it also writes every stored
/// profile document (as the API reads it, written out in full), the coverage and the state of the synthetic and the
/// sample mailbox to FILE (one line each), to compare two builds' output byte for byte.
/// </summary>
internal static class RecomputeOnly
{
    public static async Task<int> RunAsync(int messageCount, int meetingCount, DateTimeOffset now, string? dumpPath)
    {
        var dir = Directory.CreateTempSubdirectory("graph-bench-recompute-").FullName;
        try { await RunAsync(messageCount, meetingCount, now, dir, dumpPath); }
        finally { Directory.Delete(dir, true); }
        return 0;
    }

    private static async Task RunAsync(int messageCount, int meetingCount, DateTimeOffset now, string dir, string? dumpPath)
    {
        var (messages, meetings) = SyntheticMailbox.Generate(messageCount, meetingCount, now, seed: 11);
        Console.WriteLine($"recompute-only: {messages.Count} messages + {meetings.Count} meetings, stored with InteractionStore into SQLite");
        var lines = new List<string>();
        foreach (var run in new[] { "cold", "warm" })
        {
            await using var store = MailStore.OpenSqlite(Path.Combine(dir, $"recompute-{run}.db"));
            await store.MigrateAsync();
            var interactions = new InteractionStore(store);
            await interactions.UpsertMailboxAsync(new StoredMailbox(SyntheticMailbox.Owner, [SyntheticMailbox.Owner], "Mailbox Owner", "bench", now));
            foreach (var page in messages.Chunk(2000)) await interactions.UpsertMessagesAsync(SyntheticMailbox.Owner, page);
            await interactions.UpsertMeetingsAsync(SyntheticMailbox.Owner, meetings);
            var profiles = new ProfileService(interactions, new ProfileStore(store), new FeedbackStore(store), new RelationshipModel(new StageModelOptions()));

            var (streamed, baseline) = await Measure(async () =>
            {
                long n = 0;
                await foreach (var _ in interactions.ReadInteractionsAsync(SyntheticMailbox.Owner, now)) n++;
                return n;
            });
            var (result, recompute) = await Measure(() => profiles.RecomputeChangedAsync(SyntheticMailbox.Owner, now));
            Console.WriteLine($"{run}: baseline (stream {streamed} rows with ReadInteractionsAsync) {baseline}; " +
                              $"RecomputeChangedAsync ({(result.Full ? "full" : "incremental")}, {result.Recomputed} profiles) {recompute}; " +
                              $"ratio {recompute.Cpu / baseline.Cpu:0.00}x CPU");
            if (run == "warm" && dumpPath is not null) lines.AddRange(await DumpAsync(store, SyntheticMailbox.Owner));
            // Its two halves apart (after it, on the same store): computing (reading + the model, nothing written), and writing.
            var ((computed, coverage), compute) = await Measure(() => profiles.ComputeWithCoverageAsync(SyntheticMailbox.Owner, now));
            var profileStore = new ProfileStore(store);
            var (_, write) = await Measure(async () =>
            {
                await profileStore.ReplaceAsync(SyntheticMailbox.Owner, computed, coverage, now);
                return 0;
            });
            Console.WriteLine($"{run}:   of which compute (read + model, no write) {compute}; write (ProfileStore.ReplaceAsync of {computed.Count} profiles) {write}");
        }
        // The warm figures again, the least CPU of five alternating runs (a shared machine's noise only adds).
        await using (var store = MailStore.OpenSqlite(Path.Combine(dir, "recompute-warm.db")))
        {
            var interactions = new InteractionStore(store);
            var profiles = new ProfileService(interactions, new ProfileStore(store), new FeedbackStore(store), new RelationshipModel(new StageModelOptions()));
            TimeSpan bestStream = TimeSpan.MaxValue, bestRecompute = TimeSpan.MaxValue, bestWrite = TimeSpan.MaxValue;
            var (computed, coverage) = await profiles.ComputeWithCoverageAsync(SyntheticMailbox.Owner, now);
            var profileStore = new ProfileStore(store);
            for (int i = 0; i < 5; i++)
            {
                var (_, stream) = await Measure(async () =>
                {
                    long n = 0;
                    await foreach (var _ in interactions.ReadInteractionsAsync(SyntheticMailbox.Owner, now)) n++;
                    return n;
                });
                var (_, recompute) = await Measure(() => profiles.RecomputeAsync(SyntheticMailbox.Owner, now));
                if (stream.Cpu < bestStream) bestStream = stream.Cpu;
                if (recompute.Cpu < bestRecompute) bestRecompute = recompute.Cpu;
                var (_, write) = await Measure(async () =>
                {
                    await profileStore.ReplaceAsync(SyntheticMailbox.Owner, computed, coverage, now);
                    return 0;
                });
                if (write.Cpu < bestWrite) bestWrite = write.Cpu;
            }
            await using var connection = await store.OpenConnectionAsync();
            await using var bytes = connection.CreateCommand();
            bytes.CommandText = "SELECT SUM(LENGTH(CAST(profile AS BLOB))) FROM contact_profiles";
            Console.WriteLine($"warm, least of 5: stream {bestStream.TotalSeconds:0.000} s CPU; RecomputeAsync (full) {bestRecompute.TotalSeconds:0.000} s CPU; " +
                              $"ratio {bestRecompute / bestStream:0.00}x; ReplaceAsync {bestWrite.TotalSeconds:0.000} s CPU; profile documents {Convert.ToInt64(await bytes.ExecuteScalarAsync()) / 1048576.0:0.0} MiB");
        }
        if (dumpPath is null) return;

        // The sample mailbox, as `mailrapport sample` loads it (RecomputeAsync), plus a RecomputeChangedAsync a day later.
        await using (var sampleStore = MailStore.OpenSqlite(Path.Combine(dir, "sample.db")))
        {
            var profiles = new ProfileService(new InteractionStore(sampleStore), new ProfileStore(sampleStore), new FeedbackStore(sampleStore),
                new RelationshipModel(new StageModelOptions()));
            var sampleNow = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
            await new MailRapport.Server.Sample.SampleMailboxLoader(sampleStore, profiles, new MailboxEraser(sampleStore, []))
                .LoadAsync(seed: 1, end: new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), now: sampleNow);
            lines.AddRange(await DumpAsync(sampleStore, MailRapport.Server.Sample.SampleMailboxLoader.MailboxId));
            await profiles.RecomputeChangedAsync(MailRapport.Server.Sample.SampleMailboxLoader.MailboxId, sampleNow.AddDays(1));
            lines.AddRange(await DumpAsync(sampleStore, MailRapport.Server.Sample.SampleMailboxLoader.MailboxId));
        }
        await File.WriteAllLinesAsync(dumpPath, lines);
        Console.WriteLine($"dumped {lines.Count} lines to {dumpPath}, SHA-256 {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines))))}");
    }

    internal readonly record struct Usage(TimeSpan Wall, TimeSpan Cpu, long Allocated)
    {
        public override string ToString() =>
            $"{Wall.TotalSeconds:0.000} s wall, {Cpu.TotalSeconds:0.000} s CPU, {Allocated / 1048576.0:0} MiB allocated";
    }

    private static async Task<(T Result, Usage Usage)> Measure<T>(Func<Task<T>> run)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var result = await run();
        return (result, new Usage(clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes(precise: true) - allocated));
    }

    /// <summary>
    /// A stored profile document as the API reads it, written out in full (every property, nulls and zeros too, as the
    /// source-generated serializer writes it): documents that leave defaults out (docs/decisions/025) compare equal to
    /// the full ones written before.
    /// </summary>
    private static string FullDocument(string stored) => System.Text.Json.JsonSerializer.Serialize(
        StoredProfileFormat.Deserialize(StoredProfileFormat.Current, Encoding.UTF8.GetBytes(stored)), StoredProfileJson.Default.StoredProfile);

    /// <summary>Every stored row the recompute writes for the mailbox, column by column, in key order (profile documents in full).</summary>
    private static async Task<List<string>> DumpAsync(MailStore store, string mailboxId)
    {
        var lines = new List<string>();
        await using var connection = await store.OpenConnectionAsync();
        foreach (var sql in new[]
                 {
                     "SELECT * FROM contact_profiles WHERE mailbox_id = @m ORDER BY address",
                     "SELECT * FROM stage_history WHERE mailbox_id = @m ORDER BY address, changed_at",
                     "SELECT * FROM mailbox_coverage WHERE mailbox_id = @m",
                     "SELECT * FROM profile_state WHERE mailbox_id = @m",
                 })
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            var p = cmd.CreateParameter();
            p.ParameterName = "@m";
            p.Value = mailboxId;
            cmd.Parameters.Add(p);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var columns = new string[reader.FieldCount];
                for (int i = 0; i < columns.Length; i++)
                    columns[i] = reader.GetName(i) + "=" + (reader.IsDBNull(i) ? "NULL"
                        : reader.GetName(i) == "profile" ? FullDocument(reader.GetString(i)) + ":String"
                        : reader.GetValue(i) is byte[] b ? "0x" + Convert.ToHexString(b)
                        : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) + ":" + reader.GetFieldType(i).Name);
                lines.Add(string.Join(" | ", columns));
            }
        }
        return lines;
    }
}
