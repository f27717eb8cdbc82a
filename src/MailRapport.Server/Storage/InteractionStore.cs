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
public sealed partial class InteractionStore(MailStore store) : IMailboxErasure
{
    // ---- mailboxes ----

    public async Task UpsertMailboxAsync(StoredMailbox mailbox, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await PlainSql.ExecuteAsync(connection, null, """
            INSERT INTO mailboxes (mailbox_id, owner_addresses, display_name, source, created_at)
            VALUES (@MailboxId, @Owners, @DisplayName, @Source, @CreatedAt)
            ON CONFLICT (mailbox_id) DO UPDATE SET owner_addresses = excluded.owner_addresses,
                display_name = excluded.display_name, source = excluded.source
            """,
            [
                ("MailboxId", mailbox.MailboxId),
                ("Owners", JsonSerializer.Serialize(mailbox.OwnerAddresses, InteractionColumns.Json.Default.IReadOnlyListString)),
                ("DisplayName", mailbox.DisplayName),
                ("Source", mailbox.Source),
                ("CreatedAt", mailbox.CreatedAt.ToUnixTimeMilliseconds()),
            ], ct);
    }

    public async Task<StoredMailbox?> GetMailboxAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        // Plain ADO.NET: every recompute starts here, and a Dapper call site costs a cold process its own emitted code.
        StoredMailbox? mailbox = null;
        await PlainSql.QueryAsync(connection, null, $"SELECT {MailboxColumns} FROM mailboxes WHERE mailbox_id = @m", [("m", mailboxId)],
            r => mailbox = new MailboxRow
            {
                MailboxId = r.GetString(0), OwnerAddresses = r.GetString(1), DisplayName = Db.Text(r, 2),
                Source = r.GetString(3), CreatedAt = Db.Long(r, 4),
            }.ToMailbox(), ct);
        return mailbox;
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

    /// <summary>
    /// Inserts or replaces messages inside a transaction (so a scan commits them with its sync state). Rows already
    /// stored exactly as given are left alone; the correspondents of every row written (before and after) are marked
    /// changed (<see cref="ChangesSinceAsync"/>).
    /// </summary>
    public Task UpsertMessagesAsync(StoreTransaction tx, string mailboxId, IEnumerable<MessageInteraction> messages, CancellationToken ct = default) =>
        UpsertAsync(tx, mailboxId, ItemTable.Messages, messages.Select(m => new StoredItem(m.Key, MessageRow(mailboxId, m), InteractionPeople.Of(m))), ct);

    public async Task UpsertMeetingsAsync(string mailboxId, IEnumerable<MeetingInteraction> meetings, CancellationToken ct = default)
    {
        await using var tx = await store.BeginAsync(ct);
        await UpsertMeetingsAsync(tx, mailboxId, meetings, ct);
        await tx.CommitAsync(ct);
    }

    public Task UpsertMeetingsAsync(StoreTransaction tx, string mailboxId, IEnumerable<MeetingInteraction> meetings, CancellationToken ct = default) =>
        UpsertAsync(tx, mailboxId, ItemTable.Meetings, meetings.Select(m => new StoredItem(m.Key, MeetingRow(mailboxId, m), InteractionPeople.Of(m))), ct);

    private static object?[] MessageRow(string mailboxId, MessageInteraction m) =>
    [
        mailboxId, m.Key, m.Timestamp.ToUnixTimeMilliseconds(), (short)m.Direction, m.From, m.FromDisplayName,
        InteractionColumns.SerializeCounterparts(m.Counterparts), m.RecipientCount, (short)m.OwnerRole, m.ConversationId,
        (short)(m.IsReply ? 1 : 0), (int)m.Markers,
    ];

    private static object?[] MeetingRow(string mailboxId, MeetingInteraction m) =>
    [
        mailboxId, m.Key, m.Start.ToUnixTimeMilliseconds(), m.End.ToUnixTimeMilliseconds(), m.Organizer, m.OrganizerDisplayName,
        InteractionColumns.SerializeAttendees(m.Attendees), (short)(m.IsCancelled ? 1 : 0), (short)(m.IsRecurring ? 1 : 0), (short)m.OwnerResponse,
    ];

    /// <summary>Deletes messages or meetings by key inside a transaction; returns how many rows went. Their correspondents are marked changed.</summary>
    public async Task<int> DeleteAsync(StoreTransaction tx, string mailboxId, InteractionKind kind, IEnumerable<string> keys, CancellationToken ct = default)
    {
        var table = kind == InteractionKind.Message ? ItemTable.Messages : ItemTable.Meetings;
        int deleted = 0;
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(RowBatch.Size))
        {
            var touched = new HashSet<string>(StringComparer.Ordinal);
            var parameters = new QueryParameters().Add("m", mailboxId);
            var list = RowBatch.InList(parameters, "k", chunk);
            await RowBatch.QueryAsync(tx, $"DELETE FROM {table.Name} WHERE mailbox_id = @m AND {table.KeyColumn} IN ({list}) RETURNING {table.ColumnList}",
                parameters, row =>
                {
                    touched.UnionWith(table.People(row));
                    deleted++;
                }, ct);
            await TouchAsync(tx, mailboxId, touched, ct);
        }
        return deleted;
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
    /// Streams messages from the database; meetings (far fewer) are read first and merged in. SQLite is read through
    /// its native statement with typed column reads (<see cref="NativeRows"/>): a full recompute reads every row, and
    /// Microsoft.Data.Sqlite's reader checks and converts each column through several layers.
    /// </summary>
    public async IAsyncEnumerable<Interaction> ReadInteractionsAsync(string mailboxId, DateTimeOffset? before = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        long cut = before?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        var meetings = await ReadMeetingsAsync(mailboxId, cut, ct);
        int mi = 0;
        await using var connection = await store.OpenConnectionAsync(ct);
        if (store.Provider == StoreProvider.Sqlite)
        {
            using var statement = SqliteStatement.Prepare(connection, MessagesSql, ["m", "cut"]);
            statement.Bind(0, mailboxId);
            statement.Bind(1, cut);
            var strings = new InteractionColumns.StringCache();
            while (statement.Step())
            {
                ct.ThrowIfCancellationRequested();
                var message = NativeRows.Message(statement.Handle, strings);
                while (mi < meetings.Count && meetings[mi].Start <= message.Timestamp) yield return meetings[mi++];
                yield return message;
            }
        }
        else
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = MessagesSql;
            Db.Parameter(cmd, "m", mailboxId);
            Db.Parameter(cmd, "cut", cut);
            await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
            var columns = new ColumnReader(reader);
            while (await reader.ReadAsync(ct))
            {
                var message = new MessageInteraction
                {
                    Key = reader.GetString(0),
                    Timestamp = Db.Time(columns.Long(1)),
                    Direction = (Direction)columns.Long(2),
                    From = reader.GetString(3),
                    FromDisplayName = Db.Text(reader, 4),
                    Counterparts = InteractionColumns.DeserializeCounterparts(columns.Utf8(5), columns.Strings),
                    RecipientCount = (int)columns.Long(6),
                    OwnerRole = (RecipientRole)columns.Long(7),
                    ConversationId = Db.Text(reader, 8),
                    IsReply = columns.Long(9) != 0,
                    Markers = (AutomationMarkers)columns.Long(10),
                };
                while (mi < meetings.Count && meetings[mi].Start <= message.Timestamp) yield return meetings[mi++];
                yield return message;
            }
        }
        while (mi < meetings.Count) yield return meetings[mi++];
    }

    private const string MessagesSql = """
        SELECT message_key, sent_at, direction, from_address, from_name, counterparts, recipient_count, owner_role,
            conversation_id, is_reply, markers
        FROM messages WHERE mailbox_id = @m AND sent_at < @cut ORDER BY sent_at, message_key
        """;

    private const string MeetingsSql = """
        SELECT meeting_key, start_at, end_at, organizer, organizer_name, attendees, is_cancelled, is_recurring, owner_response
        FROM meetings WHERE mailbox_id = @m AND start_at < @cut ORDER BY start_at, meeting_key
        """;

    private async Task<List<MeetingInteraction>> ReadMeetingsAsync(string mailboxId, long cut, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var result = new List<MeetingInteraction>();
        if (store.Provider == StoreProvider.Sqlite)
        {
            using var statement = SqliteStatement.Prepare(connection, MeetingsSql, ["m", "cut"]);
            statement.Bind(0, mailboxId);
            statement.Bind(1, cut);
            var strings = new InteractionColumns.StringCache();
            while (statement.Step()) result.Add(NativeRows.Meeting(statement.Handle, strings));
            return result;
        }
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = MeetingsSql;
        Db.Parameter(cmd, "m", mailboxId);
        Db.Parameter(cmd, "cut", cut);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var columns = new ColumnReader(reader);
        while (await reader.ReadAsync(ct))
            result.Add(new MeetingInteraction
            {
                Key = reader.GetString(0),
                Start = Db.Time(columns.Long(1)),
                End = Db.Time(columns.Long(2)),
                Organizer = reader.GetString(3),
                OrganizerDisplayName = Db.Text(reader, 4),
                Attendees = InteractionColumns.DeserializeAttendees(columns.Utf8(5), columns.Strings),
                IsCancelled = columns.Long(6) != 0,
                IsRecurring = columns.Long(7) != 0,
                OwnerResponse = (AttendeeResponse)columns.Long(8),
            });
        return result;
    }

    /// <summary>
    /// A row of <see cref="MessagesSql"/> or <see cref="MeetingsSql"/> from SQLite's native statement: integers as
    /// Int64, text as its UTF-8 bytes (the list columns go straight to their JSON reader; recurring addresses and names
    /// through <see cref="InteractionColumns.StringCache"/>). What the reader path gives, value for value.
    /// </summary>
    private static class NativeRows
    {
        public static MessageInteraction Message(SQLitePCL.sqlite3_stmt row, InteractionColumns.StringCache strings) => new()
        {
            Key = Text(row, 0),
            Timestamp = Db.Time(SQLitePCL.raw.sqlite3_column_int64(row, 1)),
            Direction = (Direction)SQLitePCL.raw.sqlite3_column_int64(row, 2),
            From = strings.Get(Utf8(row, 3)),
            FromDisplayName = IsNull(row, 4) ? null : strings.Get(Utf8(row, 4)),
            Counterparts = InteractionColumns.DeserializeCounterparts(Utf8(row, 5), strings),
            RecipientCount = (int)SQLitePCL.raw.sqlite3_column_int64(row, 6),
            OwnerRole = (RecipientRole)SQLitePCL.raw.sqlite3_column_int64(row, 7),
            ConversationId = IsNull(row, 8) ? null : strings.Get(Utf8(row, 8)),
            IsReply = SQLitePCL.raw.sqlite3_column_int64(row, 9) != 0,
            Markers = (AutomationMarkers)SQLitePCL.raw.sqlite3_column_int64(row, 10),
        };

        public static MeetingInteraction Meeting(SQLitePCL.sqlite3_stmt row, InteractionColumns.StringCache strings) => new()
        {
            Key = Text(row, 0),
            Start = Db.Time(SQLitePCL.raw.sqlite3_column_int64(row, 1)),
            End = Db.Time(SQLitePCL.raw.sqlite3_column_int64(row, 2)),
            Organizer = strings.Get(Utf8(row, 3)),
            OrganizerDisplayName = IsNull(row, 4) ? null : strings.Get(Utf8(row, 4)),
            Attendees = InteractionColumns.DeserializeAttendees(Utf8(row, 5), strings),
            IsCancelled = SQLitePCL.raw.sqlite3_column_int64(row, 6) != 0,
            IsRecurring = SQLitePCL.raw.sqlite3_column_int64(row, 7) != 0,
            OwnerResponse = (AttendeeResponse)SQLitePCL.raw.sqlite3_column_int64(row, 8),
        };

        private static bool IsNull(SQLitePCL.sqlite3_stmt row, int column) => SQLitePCL.raw.sqlite3_column_type(row, column) == SQLitePCL.raw.SQLITE_NULL;

        // The column's bytes as stored (TEXT as UTF-8; sqlite3_column_blob does not convert, and its length is the text's).
        private static ReadOnlySpan<byte> Utf8(SQLitePCL.sqlite3_stmt row, int column) => SQLitePCL.raw.sqlite3_column_blob(row, column);

        private static string Text(SQLitePCL.sqlite3_stmt row, int column) => System.Text.Encoding.UTF8.GetString(Utf8(row, column));
    }

    /// <summary>The mailbox row, its interactions and their change tracking.</summary>
    public Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct) =>
        MailboxEraser.DeleteRowsAsync(tx, mailboxId, ct, "messages", "meetings", "mailboxes", "correspondent_changes", "interaction_sequence");

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

/// <summary>
/// Reads the interaction columns of one result the cheap way for its provider: SQLite hands integers over as Int64 and
/// text as its UTF-8 bytes (no boxing, no UTF-16 copy of a list column); PostgreSQL's declared widths and strings go
/// through the general path. The list columns' addresses and names
/// recur on every row: <see cref="Strings"/> makes each distinct one once.
/// </summary>
internal sealed class ColumnReader(System.Data.Common.DbDataReader reader)
{
    private readonly Microsoft.Data.Sqlite.SqliteDataReader? sqlite = reader as Microsoft.Data.Sqlite.SqliteDataReader;

    public InteractionColumns.StringCache Strings { get; } = new();

    public long Long(int ordinal) => sqlite?.GetInt64(ordinal) ?? Db.Long(reader, ordinal);

    public ReadOnlySpan<byte> Utf8(int ordinal) =>
        sqlite is not null ? sqlite.GetFieldValue<byte[]>(ordinal) : System.Text.Encoding.UTF8.GetBytes(reader.GetString(ordinal));
}

/// <summary>What a stored interaction is: the two tables a key can point into.</summary>
public enum InteractionKind : short
{
    Message = 0,
    Meeting = 1,
}
