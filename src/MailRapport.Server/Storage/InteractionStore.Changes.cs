using System.Data.Common;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>
/// What changed, so profiles can be recomputed only where needed (docs/decisions/019-incremental-recompute.md). Every
/// write that changes a stored interaction (insert, update, delete) takes the mailbox's next change sequence number
/// (interaction_sequence) and stamps it on each correspondent of the row as it was and as it is (correspondent_changes,
/// one row per address: bounded by the mailbox's correspondents). A write that touches more than
/// <see cref="ManyAddresses"/> correspondents (a first scan's pages, a big catch-up) stamps the mailbox as "all
/// changed" instead (interaction_sequence.all_changed_seq): the recompute after it is a full one anyway, and the marks
/// would cost a row each (docs/decisions/020-all-changed-mark.md). Nobody passes lists of touched addresses around.
/// </summary>
public sealed partial class InteractionStore
{
    /// <summary>Above this many correspondents in one write, the mailbox is marked as all changed instead of address by address.</summary>
    internal const int ManyAddresses = 100;

    /// <summary>
    /// The mailbox's change sequence now, and the correspondents touched by changes numbered after
    /// <paramref name="since"/>; <c>All</c> when one of those changes marked every correspondent (Touched is then empty).
    /// </summary>
    public async Task<(long Sequence, IReadOnlySet<string> Touched, bool All)> ChangesSinceAsync(string mailboxId, long since, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        // The number first: a change committed between the two reads is then both listed and left for the next time, never lost.
        long sequence = 0, allChanged = 0;
        await PlainSql.QueryAsync(connection, null, "SELECT seq, all_changed_seq FROM interaction_sequence WHERE mailbox_id = @m", [("m", mailboxId)],
            r => (sequence, allChanged) = (Db.Long(r, 0), Db.Long(r, 1)), ct);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        if (allChanged > since) return (sequence, touched, true);
        await PlainSql.QueryAsync(connection, null, "SELECT address FROM correspondent_changes WHERE mailbox_id = @m AND changed_seq > @since",
            [("m", mailboxId), ("since", since)], r => touched.Add(r.GetString(0)), ct);
        return (sequence, touched, false);
    }

    /// <summary>The mailbox's change sequence number now (0 before its first change).</summary>
    public async Task<long> SequenceAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        return await SequenceAsync(connection, mailboxId, ct);
    }

    private static async Task<long> SequenceAsync(DbConnection connection, string mailboxId, CancellationToken ct) =>
        await PlainSql.ScalarAsync(connection, null, "SELECT seq FROM interaction_sequence WHERE mailbox_id = @m", [("m", mailboxId)], ct) is { } seq
            ? Convert.ToInt64(seq, System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    /// <summary>
    /// The correspondents of the interactions dated in [<paramref name="from"/>, <paramref name="to"/>): those time
    /// brought into a profile's reach since it was computed (a meeting that has now started, mail dated ahead).
    /// </summary>
    public async Task<IReadOnlySet<string>> CorrespondentsBetweenAsync(string mailboxId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (to <= from) return result;
        await using var connection = await store.OpenConnectionAsync(ct);
        (string, object?)[] args = [("m", mailboxId), ("from", from.ToUnixTimeMilliseconds()), ("to", to.ToUnixTimeMilliseconds())];
        foreach (var table in new[] { ItemTable.Messages, ItemTable.Meetings })
            await PlainSql.QueryAsync(connection, null,
                $"SELECT {table.ColumnList} FROM {table.Name} WHERE mailbox_id = @m AND {table.TimeColumn} >= @from AND {table.TimeColumn} < @to", args,
                reader =>
                {
                    var row = new object?[table.Names.Length];
                    reader.GetValues(row!);
                    result.UnionWith(table.People(row));
                }, ct);
        return result;
    }

    /// <summary>
    /// Items per month (index, received, sent, meetings) dated before <paramref name="before"/> (and from
    /// <paramref name="from"/>, when given): what <see cref="MailboxCoverage.FromMonthCounts"/> judges, without reading
    /// the interactions. Counted per day in SQL (integer days since 0001-01-01, the same in both dialects), summed per month here.
    /// </summary>
    public async Task<IReadOnlyList<(int MonthIndex, int Received, int Sent, int Meetings)>> MonthCountsAsync(string mailboxId, DateTimeOffset before,
        DateTimeOffset? from = null, CancellationToken ct = default)
    {
        const long epochMs = 62_135_596_800_000, dayMs = 86_400_000; // DateTimeOffset.UnixEpoch in ms since 0001-01-01; a day
        var months = new SortedDictionary<int, (int Received, int Sent, int Meetings)>();
        void Add(long day, int received, int sent, int meetings)
        {
            int month = MonthIndex.OfTicks(day * TimeSpan.TicksPerDay);
            var m = months.GetValueOrDefault(month);
            months[month] = (m.Received + received, m.Sent + sent, m.Meetings + meetings);
        }
        await using var connection = await store.OpenConnectionAsync(ct);
        (string, object?)[] args = [("m", mailboxId), ("cut", before.ToUnixTimeMilliseconds()), ("from", from?.ToUnixTimeMilliseconds() ?? long.MinValue)];
        await PlainSql.QueryAsync(connection, null, $"""
            SELECT (sent_at + {epochMs}) / {dayMs}, direction, COUNT(*) FROM messages WHERE mailbox_id = @m AND sent_at >= @from AND sent_at < @cut
            GROUP BY (sent_at + {epochMs}) / {dayMs}, direction
            """, args, r =>
            {
                long day = Db.Long(r, 0), direction = Db.Long(r, 1), n = Db.Long(r, 2);
                Add(day, direction == (long)Direction.Outgoing ? 0 : (int)n, direction == (long)Direction.Outgoing ? (int)n : 0, 0);
            }, ct);
        await PlainSql.QueryAsync(connection, null, $"""
            SELECT (start_at + {epochMs}) / {dayMs}, COUNT(*) FROM meetings WHERE mailbox_id = @m AND start_at >= @from AND start_at < @cut
            GROUP BY (start_at + {epochMs}) / {dayMs}
            """, args, r => Add(Db.Long(r, 0), 0, 0, (int)Db.Long(r, 1)), ct);
        return months.Select(m => (m.Key, m.Value.Received, m.Value.Sent, m.Value.Meetings)).ToList();
    }

    /// <summary>One row to store: its key, its column values (in <see cref="ItemTable.Names"/> order) and its correspondents.</summary>
    private sealed record StoredItem(string Key, object?[] Row, IEnumerable<string> People);

    /// <summary>
    /// Writes the rows that differ from what is stored (by key; the last of a repeated key wins), a batch at a time:
    /// one read of the stored rows, the upsert, and the change marks, all in the caller's transaction.
    /// </summary>
    private static async Task UpsertAsync(StoreTransaction tx, string mailboxId, ItemTable table, IEnumerable<StoredItem> items, CancellationToken ct)
    {
        var latest = new Dictionary<string, StoredItem>(StringComparer.Ordinal);
        foreach (var item in items) latest[item.Key] = item;
        foreach (var chunk in latest.Values.Chunk(RowBatch.Size))
        {
            var stored = new Dictionary<string, object?[]>(StringComparer.Ordinal);
            var parameters = new QueryParameters().Add("m", mailboxId);
            var keys = RowBatch.InList(parameters, "k", chunk.Select(i => i.Key).ToList());
            await RowBatch.QueryAsync(tx, $"SELECT {table.ColumnList} FROM {table.Name} WHERE mailbox_id = @m AND {table.KeyColumn} IN ({keys})",
                parameters, row => stored[(string)row[1]!] = row, ct);
            var changed = new List<object?[]>(chunk.Length);
            var touched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in chunk)
            {
                bool listing = touched.Count <= ManyAddresses; // past it, every correspondent is marked: stop collecting
                if (stored.TryGetValue(item.Key, out var before))
                {
                    if (SameRow(before, item.Row)) continue;
                    if (listing) touched.UnionWith(table.People(before));
                }
                if (listing) touched.UnionWith(item.People);
                changed.Add(item.Row);
            }
            if (changed.Count == 0) continue;
            await RowBatch.ExecuteAsync(tx, table.UpsertSql, table.Names, changed, ct);
            await TouchAsync(tx, mailboxId, touched, ct);
        }
    }

    /// <summary>
    /// Takes the mailbox's next change number and stamps it on each address, or on the whole mailbox when there are
    /// more than <see cref="ManyAddresses"/> (the row lock orders concurrent writers).
    /// </summary>
    private static async Task TouchAsync(StoreTransaction tx, string mailboxId, IReadOnlyCollection<string> addresses, CancellationToken ct)
    {
        if (addresses.Count == 0) return;
        short all = (short)(addresses.Count > ManyAddresses ? 1 : 0);
        var seq = Convert.ToInt64(await PlainSql.ScalarAsync(tx.Connection, tx.Transaction, """
            INSERT INTO interaction_sequence (mailbox_id, seq, all_changed_seq) VALUES (@mailboxId, 1, @all)
            ON CONFLICT (mailbox_id) DO UPDATE SET seq = interaction_sequence.seq + 1,
                all_changed_seq = CASE WHEN @all = 1 THEN interaction_sequence.seq + 1 ELSE interaction_sequence.all_changed_seq END
            RETURNING seq
            """, [("mailboxId", mailboxId), ("all", all)], ct), System.Globalization.CultureInfo.InvariantCulture);
        if (all == 1) return;
        await RowBatch.ExecuteAsync(tx, """
            INSERT INTO correspondent_changes (mailbox_id, address, changed_seq) VALUES (@m, @a, @s)
            ON CONFLICT (mailbox_id, address) DO UPDATE SET changed_seq = excluded.changed_seq
            """, ["m", "a", "s"], addresses.Select(a => new object?[] { mailboxId, a, seq }), ct);
    }

    /// <summary>Stored column values against new ones: integers of any width compare by value, NULL equals NULL.</summary>
    private static bool SameRow(object?[] stored, object?[] row)
    {
        for (int i = 0; i < row.Length; i++)
        {
            object? a = stored[i], b = row[i];
            if (a is null || b is null) { if (a is null != b is null) return false; continue; }
            if (a is string sa) { if (b is not string sb || !string.Equals(sa, sb, StringComparison.Ordinal)) return false; continue; }
            if (Convert.ToInt64(a, System.Globalization.CultureInfo.InvariantCulture) != Convert.ToInt64(b, System.Globalization.CultureInfo.InvariantCulture))
                return false;
        }
        return true;
    }

    /// <summary>The two interaction tables: their columns (mailbox and key first), upsert and correspondents of a stored row.</summary>
    private sealed record ItemTable(string Name, string KeyColumn, string TimeColumn, string[] Columns, string[] Names, string UpsertSql,
        Func<object?[], IEnumerable<string>> People)
    {
        public string ColumnList { get; } = string.Join(", ", Columns);

        public static readonly ItemTable Messages = new("messages", "message_key", "sent_at",
            ["mailbox_id", "message_key", "sent_at", "direction", "from_address", "from_name", "counterparts", "recipient_count", "owner_role",
             "conversation_id", "is_reply", "markers"],
            ["m", "k", "t", "d", "f", "fn", "c", "rc", "or", "cv", "r", "mk"],
            """
            INSERT INTO messages (mailbox_id, message_key, sent_at, direction, from_address, from_name, counterparts,
                recipient_count, owner_role, conversation_id, is_reply, markers)
            VALUES (@m, @k, @t, @d, @f, @fn, @c, @rc, @or, @cv, @r, @mk)
            ON CONFLICT (mailbox_id, message_key) DO UPDATE SET sent_at = excluded.sent_at, direction = excluded.direction,
                from_address = excluded.from_address, from_name = excluded.from_name, counterparts = excluded.counterparts,
                recipient_count = excluded.recipient_count, owner_role = excluded.owner_role,
                conversation_id = excluded.conversation_id, is_reply = excluded.is_reply, markers = excluded.markers
            """,
            row => InteractionPeople.OfMessage((Direction)Convert.ToInt16(row[3], System.Globalization.CultureInfo.InvariantCulture), (string)row[4]!,
                InteractionColumns.DeserializeCounterparts((string)row[6]!)));

        public static readonly ItemTable Meetings = new("meetings", "meeting_key", "start_at",
            ["mailbox_id", "meeting_key", "start_at", "end_at", "organizer", "organizer_name", "attendees", "is_cancelled", "is_recurring", "owner_response"],
            ["m", "k", "s", "e", "o", "on", "a", "c", "r", "or"],
            """
            INSERT INTO meetings (mailbox_id, meeting_key, start_at, end_at, organizer, organizer_name, attendees,
                is_cancelled, is_recurring, owner_response)
            VALUES (@m, @k, @s, @e, @o, @on, @a, @c, @r, @or)
            ON CONFLICT (mailbox_id, meeting_key) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at,
                organizer = excluded.organizer, organizer_name = excluded.organizer_name, attendees = excluded.attendees,
                is_cancelled = excluded.is_cancelled, is_recurring = excluded.is_recurring, owner_response = excluded.owner_response
            """,
            row => InteractionPeople.OfMeeting((string)row[4]!, InteractionColumns.DeserializeAttendees((string)row[6]!)));
    }
}

/// <summary>
/// The addresses an interaction can give a profile to: the sender of received mail, the recipients of sent mail, a
/// meeting's organizer and attendees. A superset of those <see cref="ProfileBuilder"/> counts (it also leaves out the
/// owner, declined attendees and resources), so a profile depends only on the interactions that name its address here.
/// </summary>
public static class InteractionPeople
{
    public static IEnumerable<string> Of(MessageInteraction m) => OfMessage(m.Direction, m.From, m.Counterparts);

    public static IEnumerable<string> Of(MeetingInteraction m) => OfMeeting(m.Organizer, m.Attendees);

    public static bool Involves(Interaction interaction, IReadOnlySet<string> addresses)
    {
        if (interaction.Message is { } m)
        {
            if (m.Direction != Direction.Outgoing) return addresses.Contains(m.From);
            foreach (var c in m.Counterparts)
                if (c.Role != RecipientRole.From && addresses.Contains(c.Address)) return true;
            return false;
        }
        var g = interaction.Meeting!;
        if (addresses.Contains(g.Organizer)) return true;
        foreach (var a in g.Attendees)
            if (addresses.Contains(a.Address)) return true;
        return false;
    }

    internal static IEnumerable<string> OfMessage(Direction direction, string from, IReadOnlyList<Counterpart> counterparts) =>
        direction == Direction.Outgoing ? counterparts.Where(c => c.Role != RecipientRole.From).Select(c => c.Address) : [from];

    internal static IEnumerable<string> OfMeeting(string organizer, IReadOnlyList<Attendee> attendees) =>
        attendees.Select(a => a.Address).Prepend(organizer);
}
