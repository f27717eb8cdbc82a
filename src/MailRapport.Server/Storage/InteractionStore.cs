using System.Data;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Dapper;
using MailRapport.Core;

namespace MailRapport.Server.Storage;

/// <summary>
/// The stored mailboxes and their interactions (metadata only): tables mailboxes, messages and meetings.
/// Every call names the mailbox it touches: nothing here reads across mailboxes.
/// </summary>
public sealed class InteractionStore(MailStore store) : IMailboxErasure
{
    // ---- mailboxes ----

    public async Task UpsertMailboxAsync(StoredMailbox mailbox, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mailboxes (mailbox_id, owner_addresses, display_name, source, created_at)
            VALUES (@MailboxId, @Owners, @DisplayName, @Source, @CreatedAt)
            ON CONFLICT (mailbox_id) DO UPDATE SET owner_addresses = excluded.owner_addresses,
                display_name = excluded.display_name, source = excluded.source
            """,
            new
            {
                mailbox.MailboxId,
                Owners = JsonSerializer.Serialize(mailbox.OwnerAddresses, InteractionColumns.Json.Default.IReadOnlyListString),
                mailbox.DisplayName,
                mailbox.Source,
                CreatedAt = mailbox.CreatedAt.ToUnixTimeMilliseconds(),
            }, cancellationToken: ct));
    }

    public async Task<StoredMailbox?> GetMailboxAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<MailboxRow>(new CommandDefinition(
            $"SELECT {MailboxColumns} FROM mailboxes WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
        return row?.ToMailbox();
    }

    public async Task<IReadOnlyList<StoredMailbox>> ListMailboxesAsync(CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<MailboxRow>(new CommandDefinition(
            $"SELECT {MailboxColumns} FROM mailboxes ORDER BY mailbox_id", cancellationToken: ct));
        return rows.Select(r => r.ToMailbox()).ToList();
    }

    // ---- writing interactions ----

    /// <summary>Inserts or replaces messages by key, in one transaction. Replaying the same messages is idempotent.</summary>
    public async Task UpsertMessagesAsync(string mailboxId, IEnumerable<MessageInteraction> messages, CancellationToken ct = default)
    {
        await using var tx = await store.BeginAsync(ct);
        await UpsertMessagesAsync(tx, mailboxId, messages, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Inserts or replaces messages inside a transaction (so a scan commits them with its sync state).</summary>
    public async Task UpsertMessagesAsync(StoreTransaction tx, string mailboxId, IEnumerable<MessageInteraction> messages, CancellationToken ct = default)
    {
        await using var cmd = tx.Command("""
            INSERT INTO messages (mailbox_id, message_key, sent_at, direction, from_address, from_name, counterparts,
                recipient_count, owner_role, conversation_id, is_reply, markers)
            VALUES (@m, @k, @t, @d, @f, @fn, @c, @rc, @or, @cv, @r, @mk)
            ON CONFLICT (mailbox_id, message_key) DO UPDATE SET sent_at = excluded.sent_at, direction = excluded.direction,
                from_address = excluded.from_address, from_name = excluded.from_name, counterparts = excluded.counterparts,
                recipient_count = excluded.recipient_count, owner_role = excluded.owner_role,
                conversation_id = excluded.conversation_id, is_reply = excluded.is_reply, markers = excluded.markers
            """);
        var p = Db.Parameters(cmd, "m", "k", "t", "d", "f", "fn", "c", "rc", "or", "cv", "r", "mk");
        foreach (var m in messages)
        {
            p[0].Value = mailboxId;
            p[1].Value = m.Key;
            p[2].Value = m.Timestamp.ToUnixTimeMilliseconds();
            p[3].Value = (short)m.Direction;
            p[4].Value = m.From;
            p[5].Value = (object?)m.FromDisplayName ?? DBNull.Value;
            p[6].Value = InteractionColumns.SerializeCounterparts(m.Counterparts);
            p[7].Value = m.RecipientCount;
            p[8].Value = (short)m.OwnerRole;
            p[9].Value = (object?)m.ConversationId ?? DBNull.Value;
            p[10].Value = (short)(m.IsReply ? 1 : 0);
            p[11].Value = (int)m.Markers;
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task UpsertMeetingsAsync(string mailboxId, IEnumerable<MeetingInteraction> meetings, CancellationToken ct = default)
    {
        await using var tx = await store.BeginAsync(ct);
        await UpsertMeetingsAsync(tx, mailboxId, meetings, ct);
        await tx.CommitAsync(ct);
    }

    public async Task UpsertMeetingsAsync(StoreTransaction tx, string mailboxId, IEnumerable<MeetingInteraction> meetings, CancellationToken ct = default)
    {
        await using var cmd = tx.Command("""
            INSERT INTO meetings (mailbox_id, meeting_key, start_at, end_at, organizer, organizer_name, attendees,
                is_cancelled, is_recurring, owner_response)
            VALUES (@m, @k, @s, @e, @o, @on, @a, @c, @r, @or)
            ON CONFLICT (mailbox_id, meeting_key) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at,
                organizer = excluded.organizer, organizer_name = excluded.organizer_name, attendees = excluded.attendees,
                is_cancelled = excluded.is_cancelled, is_recurring = excluded.is_recurring, owner_response = excluded.owner_response
            """);
        var p = Db.Parameters(cmd, "m", "k", "s", "e", "o", "on", "a", "c", "r", "or");
        foreach (var m in meetings)
        {
            p[0].Value = mailboxId;
            p[1].Value = m.Key;
            p[2].Value = m.Start.ToUnixTimeMilliseconds();
            p[3].Value = m.End.ToUnixTimeMilliseconds();
            p[4].Value = m.Organizer;
            p[5].Value = (object?)m.OrganizerDisplayName ?? DBNull.Value;
            p[6].Value = InteractionColumns.SerializeAttendees(m.Attendees);
            p[7].Value = (short)(m.IsCancelled ? 1 : 0);
            p[8].Value = (short)(m.IsRecurring ? 1 : 0);
            p[9].Value = (short)m.OwnerResponse;
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Deletes messages or meetings by key inside a transaction; returns how many rows went.</summary>
    public async Task<int> DeleteAsync(StoreTransaction tx, string mailboxId, InteractionKind kind, IEnumerable<string> keys, CancellationToken ct = default)
    {
        var sql = kind == InteractionKind.Message
            ? "DELETE FROM messages WHERE mailbox_id = @mailboxId AND message_key = @key"
            : "DELETE FROM meetings WHERE mailbox_id = @mailboxId AND meeting_key = @key";
        int n = 0;
        foreach (var key in keys)
            n += await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new { mailboxId, key }, tx.Transaction, cancellationToken: ct));
        return n;
    }

    /// <summary>Of the given meeting keys, those whose meeting starts before <paramref name="before"/>.</summary>
    public async Task<IReadOnlyList<string>> MeetingsStartingBeforeAsync(StoreTransaction tx, string mailboxId, IEnumerable<string> keys,
        DateTimeOffset before, CancellationToken ct = default)
    {
        var result = new List<string>();
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(500))
            result.AddRange(await tx.Connection.QueryAsync<string>(new CommandDefinition(
                "SELECT meeting_key FROM meetings WHERE mailbox_id = @mailboxId AND start_at < @before AND meeting_key IN @chunk",
                new { mailboxId, before = before.ToUnixTimeMilliseconds(), chunk }, tx.Transaction, cancellationToken: ct)));
        return result;
    }

    // ---- reading interactions ----

    /// <summary>
    /// All of a mailbox's messages and meetings in time order (meetings by start), optionally only those before an instant.
    /// Streams messages from the database; meetings (far fewer) are read first and merged in.
    /// </summary>
    public async IAsyncEnumerable<Interaction> ReadInteractionsAsync(string mailboxId, DateTimeOffset? before = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        long cut = before?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        var meetings = await ReadMeetingsAsync(mailboxId, cut, ct);
        int mi = 0;
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT message_key, sent_at, direction, from_address, from_name, counterparts, recipient_count, owner_role,
                conversation_id, is_reply, markers
            FROM messages WHERE mailbox_id = @m AND sent_at < @cut ORDER BY sent_at, message_key
            """;
        Db.Parameter(cmd, "m", mailboxId);
        Db.Parameter(cmd, "cut", cut);
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            var message = new MessageInteraction
            {
                Key = reader.GetString(0),
                Timestamp = Db.Time(Db.Long(reader, 1)),
                Direction = (Direction)Db.Long(reader, 2),
                From = reader.GetString(3),
                FromDisplayName = reader.IsDBNull(4) ? null : reader.GetString(4),
                Counterparts = InteractionColumns.DeserializeCounterparts(reader.GetString(5)),
                RecipientCount = (int)Db.Long(reader, 6),
                OwnerRole = (RecipientRole)Db.Long(reader, 7),
                ConversationId = reader.IsDBNull(8) ? null : reader.GetString(8),
                IsReply = Db.Long(reader, 9) != 0,
                Markers = (AutomationMarkers)Db.Long(reader, 10),
            };
            while (mi < meetings.Count && meetings[mi].Start <= message.Timestamp) yield return meetings[mi++];
            yield return message;
        }
        while (mi < meetings.Count) yield return meetings[mi++];
    }

    private async Task<List<MeetingInteraction>> ReadMeetingsAsync(string mailboxId, long cut, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT meeting_key, start_at, end_at, organizer, organizer_name, attendees, is_cancelled, is_recurring, owner_response
            FROM meetings WHERE mailbox_id = @m AND start_at < @cut ORDER BY start_at, meeting_key
            """;
        Db.Parameter(cmd, "m", mailboxId);
        Db.Parameter(cmd, "cut", cut);
        var result = new List<MeetingInteraction>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new MeetingInteraction
            {
                Key = reader.GetString(0),
                Start = Db.Time(Db.Long(reader, 1)),
                End = Db.Time(Db.Long(reader, 2)),
                Organizer = reader.GetString(3),
                OrganizerDisplayName = reader.IsDBNull(4) ? null : reader.GetString(4),
                Attendees = InteractionColumns.DeserializeAttendees(reader.GetString(5)),
                IsCancelled = Db.Long(reader, 6) != 0,
                IsRecurring = Db.Long(reader, 7) != 0,
                OwnerResponse = (AttendeeResponse)Db.Long(reader, 8),
            });
        return result;
    }

    /// <summary>The mailbox row and its interactions.</summary>
    public Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct) =>
        MailboxEraser.DeleteRowsAsync(tx, mailboxId, ct, "messages", "meetings", "mailboxes");

    private const string MailboxColumns =
        "mailbox_id AS MailboxId, owner_addresses AS OwnerAddresses, display_name AS DisplayName, source AS Source, created_at AS CreatedAt";

    private sealed class MailboxRow
    {
        public string MailboxId { get; init; } = "";
        public string OwnerAddresses { get; init; } = "[]";
        public string? DisplayName { get; init; }
        public string Source { get; init; } = "";
        public long CreatedAt { get; init; }

        public StoredMailbox ToMailbox() => new(MailboxId, JsonSerializer.Deserialize(OwnerAddresses, InteractionColumns.Json.Default.StringArray) ?? [],
            DisplayName, Source, Db.Time(CreatedAt));
    }
}

/// <summary>What a stored interaction is: the two tables a key can point into.</summary>
public enum InteractionKind : short
{
    Message = 0,
    Meeting = 1,
}
