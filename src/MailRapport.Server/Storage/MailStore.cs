using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using MailRapport.Core;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailRapport.Server.Storage;

/// <summary>
/// Interactions (metadata only), contact profiles and per-address overrides, in SQLite or PostgreSQL.
/// Every call names the mailbox it touches: nothing here reads across mailboxes.
/// </summary>
public sealed class MailStore(DbDataSource dataSource, StoreProvider provider) : IAsyncDisposable
{
    public StoreProvider Provider => provider;

    /// <summary>Where the data lives, for messages: the SQLite file's full path, or PostgreSQL's host:port/database.</summary>
    public string Location { get; } = provider == StoreProvider.Sqlite
        ? System.IO.Path.GetFullPath(new SqliteConnectionStringBuilder(dataSource.ConnectionString).DataSource)
        : new NpgsqlConnectionStringBuilder(dataSource.ConnectionString) is var pg ? $"{pg.Host}:{pg.Port}/{pg.Database}" : "";

    public static MailStore Open(StoreOptions options)
    {
        if (options.Provider == StoreProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
                throw new InvalidOperationException("Store:ConnectionString is required when Store:Provider is Postgres.");
            return new MailStore(NpgsqlDataSource.Create(options.ConnectionString), StoreProvider.Postgres);
        }
        var cs = options.ConnectionString;
        if (string.IsNullOrWhiteSpace(cs))
        {
            var full = System.IO.Path.GetFullPath(options.Path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            cs = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true, DefaultTimeout = 60 }.ToString();
        }
        return new MailStore(SqliteFactory.Instance.CreateDataSource(cs), StoreProvider.Sqlite);
    }

    public static MailStore OpenSqlite(string path) => Open(new StoreOptions { Path = path });

    public async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken ct = default)
    {
        // SQLite waits on a busy database through the connection string's Default Timeout (set in Open), so
        // opening a connection costs no extra round trip; the schema has no foreign keys to switch on.
        return await dataSource.OpenConnectionAsync(ct);
    }

    /// <summary>Creates or upgrades the schema. Safe to call from several processes at once.</summary>
    /// <exception cref="StoreUnusableException">The store cannot be used; the message says which, why and what to do.</exception>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        try
        {
            if (provider == StoreProvider.Sqlite && StoreProblems.CheckSqliteFile(Location) is { } problem)
                throw new StoreUnusableException(problem);
            await MigrateCoreAsync(ct);
        }
        catch (Exception e) when (e is not StoreUnusableException && !ct.IsCancellationRequested && Explain(e) is { } problem)
        {
            throw new StoreUnusableException(problem, e);
        }
    }

    /// <summary>One line saying what is wrong with the store, or null when <paramref name="e"/> is not about the store.</summary>
    public string? Explain(Exception e) => StoreProblems.Explain(e, provider, Location);

    /// <summary>Null when the store answers; otherwise one line saying what is wrong (for health checks).</summary>
    public async Task<string?> ProbeAsync(CancellationToken ct = default)
    {
        try
        {
            if (provider == StoreProvider.Sqlite && StoreProblems.CheckSqliteFile(Location) is { } problem) return problem;
            await using var connection = await OpenConnectionAsync(ct);
            await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(version) FROM schema_version", cancellationToken: ct));
            return null;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return Explain(e) ?? $"{Location} cannot be read: {e.Message}";
        }
    }

    private async Task MigrateCoreAsync(CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        if (provider == StoreProvider.Sqlite)
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY)");
        foreach (var (version, sql) in Schema.Steps)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            if (provider == StoreProvider.Postgres)
                await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(727274)", transaction: tx); // one migrator at a time
            var applied = await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM schema_version WHERE version = @version", new { version }, tx);
            if (applied > 0) { await tx.RollbackAsync(ct); continue; }
            await connection.ExecuteAsync(sql, transaction: tx);
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", new { version }, tx);
            await tx.CommitAsync(ct);
        }
    }

    // ---- mailboxes ----

    public async Task UpsertMailboxAsync(StoredMailbox mailbox, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mailboxes (mailbox_id, owner_addresses, display_name, source, created_at)
            VALUES (@MailboxId, @Owners, @DisplayName, @Source, @CreatedAt)
            ON CONFLICT (mailbox_id) DO UPDATE SET owner_addresses = excluded.owner_addresses,
                display_name = excluded.display_name, source = excluded.source
            """,
            new
            {
                mailbox.MailboxId,
                Owners = JsonSerializer.Serialize(mailbox.OwnerAddresses),
                mailbox.DisplayName,
                mailbox.Source,
                CreatedAt = mailbox.CreatedAt.ToUnixTimeMilliseconds(),
            }, cancellationToken: ct));
    }

    public async Task<StoredMailbox?> GetMailboxAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<MailboxRow>(new CommandDefinition(
            "SELECT mailbox_id AS MailboxId, owner_addresses AS OwnerAddresses, display_name AS DisplayName, source AS Source, created_at AS CreatedAt FROM mailboxes WHERE mailbox_id = @mailboxId",
            new { mailboxId }, cancellationToken: ct));
        return row?.ToMailbox();
    }

    public async Task<IReadOnlyList<StoredMailbox>> ListMailboxesAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<MailboxRow>(new CommandDefinition(
            "SELECT mailbox_id AS MailboxId, owner_addresses AS OwnerAddresses, display_name AS DisplayName, source AS Source, created_at AS CreatedAt FROM mailboxes ORDER BY mailbox_id", cancellationToken: ct));
        return rows.Select(r => r.ToMailbox()).ToList();
    }

    // ---- interactions ----

    /// <summary>Inserts or replaces messages by key, in one transaction. Replaying the same messages is idempotent.</summary>
    public async Task UpsertMessagesAsync(string mailboxId, IEnumerable<MessageInteraction> messages, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await UpsertMessagesAsync(connection, tx, mailboxId, messages, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Inserts or replaces messages inside a caller's transaction (so a scan can commit them with its sync state).</summary>
    public static async Task UpsertMessagesAsync(DbConnection connection, DbTransaction tx, string mailboxId, IEnumerable<MessageInteraction> messages, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO messages (mailbox_id, message_key, sent_at, direction, from_address, from_name, counterparts,
                recipient_count, owner_role, conversation_id, is_reply, markers)
            VALUES (@m, @k, @t, @d, @f, @fn, @c, @rc, @or, @cv, @r, @mk)
            ON CONFLICT (mailbox_id, message_key) DO UPDATE SET sent_at = excluded.sent_at, direction = excluded.direction,
                from_address = excluded.from_address, from_name = excluded.from_name, counterparts = excluded.counterparts,
                recipient_count = excluded.recipient_count, owner_role = excluded.owner_role,
                conversation_id = excluded.conversation_id, is_reply = excluded.is_reply, markers = excluded.markers
            """;
        var p = new DbParameter[12];
        string[] names = ["m", "k", "t", "d", "f", "fn", "c", "rc", "or", "cv", "r", "mk"];
        for (int i = 0; i < names.Length; i++)
        {
            p[i] = cmd.CreateParameter();
            p[i].ParameterName = names[i];
            cmd.Parameters.Add(p[i]);
        }
        foreach (var m in messages)
        {
            p[0].Value = mailboxId;
            p[1].Value = m.Key;
            p[2].Value = m.Timestamp.ToUnixTimeMilliseconds();
            p[3].Value = (short)m.Direction;
            p[4].Value = m.From;
            p[5].Value = (object?)m.FromDisplayName ?? DBNull.Value;
            p[6].Value = StoreJson.SerializeCounterparts(m.Counterparts);
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
        await using var connection = await OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await UpsertMeetingsAsync(connection, tx, mailboxId, meetings, ct);
        await tx.CommitAsync(ct);
    }

    public static async Task UpsertMeetingsAsync(DbConnection connection, DbTransaction tx, string mailboxId, IEnumerable<MeetingInteraction> meetings, CancellationToken ct = default)
    {
        foreach (var m in meetings)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO meetings (mailbox_id, meeting_key, start_at, end_at, organizer, organizer_name, attendees,
                    is_cancelled, is_recurring, owner_response)
                VALUES (@mailboxId, @Key, @Start, @End, @Organizer, @OrganizerDisplayName, @Attendees, @Cancelled, @Recurring, @OwnerResponse)
                ON CONFLICT (mailbox_id, meeting_key) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at,
                    organizer = excluded.organizer, organizer_name = excluded.organizer_name, attendees = excluded.attendees,
                    is_cancelled = excluded.is_cancelled, is_recurring = excluded.is_recurring, owner_response = excluded.owner_response
                """,
                new
                {
                    mailboxId,
                    m.Key,
                    Start = m.Start.ToUnixTimeMilliseconds(),
                    End = m.End.ToUnixTimeMilliseconds(),
                    m.Organizer,
                    m.OrganizerDisplayName,
                    Attendees = StoreJson.SerializeAttendees(m.Attendees),
                    Cancelled = (short)(m.IsCancelled ? 1 : 0),
                    Recurring = (short)(m.IsRecurring ? 1 : 0),
                    OwnerResponse = (short)m.OwnerResponse,
                }, tx, cancellationToken: ct));
        }
    }

    public async Task<int> DeleteMessagesAsync(string mailboxId, IEnumerable<string> keys, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        int n = 0;
        foreach (var key in keys)
            n += await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM messages WHERE mailbox_id = @mailboxId AND message_key = @key", new { mailboxId, key }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return n;
    }

    public async Task<int> DeleteMeetingsAsync(string mailboxId, IEnumerable<string> keys, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        int n = 0;
        foreach (var key in keys)
            n += await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM meetings WHERE mailbox_id = @mailboxId AND meeting_key = @key", new { mailboxId, key }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return n;
    }

    public async Task<(long Messages, long Meetings)> CountInteractionsAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        var messages = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM messages WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
        var meetings = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM meetings WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
        return (messages, meetings);
    }

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
        await using var connection = await OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT message_key, sent_at, direction, from_address, from_name, counterparts, recipient_count, owner_role,
                conversation_id, is_reply, markers
            FROM messages WHERE mailbox_id = @m AND sent_at < @cut ORDER BY sent_at, message_key
            """;
        AddParameter(cmd, "m", mailboxId);
        AddParameter(cmd, "cut", cut);
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            var message = new MessageInteraction
            {
                Key = reader.GetString(0),
                Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 1)),
                Direction = (Direction)Long(reader, 2),
                From = reader.GetString(3),
                FromDisplayName = reader.IsDBNull(4) ? null : reader.GetString(4),
                Counterparts = StoreJson.DeserializeCounterparts(reader.GetString(5)),
                RecipientCount = (int)Long(reader, 6),
                OwnerRole = (RecipientRole)Long(reader, 7),
                ConversationId = reader.IsDBNull(8) ? null : reader.GetString(8),
                IsReply = Long(reader, 9) != 0,
                Markers = (AutomationMarkers)Long(reader, 10),
            };
            while (mi < meetings.Count && meetings[mi].Start <= message.Timestamp) yield return meetings[mi++];
            yield return message;
        }
        while (mi < meetings.Count) yield return meetings[mi++];
    }

    private async Task<List<MeetingInteraction>> ReadMeetingsAsync(string mailboxId, long cut, CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT meeting_key, start_at, end_at, organizer, organizer_name, attendees, is_cancelled, is_recurring, owner_response
            FROM meetings WHERE mailbox_id = @m AND start_at < @cut ORDER BY start_at, meeting_key
            """;
        AddParameter(cmd, "m", mailboxId);
        AddParameter(cmd, "cut", cut);
        var result = new List<MeetingInteraction>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new MeetingInteraction
            {
                Key = reader.GetString(0),
                Start = DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 1)),
                End = DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 2)),
                Organizer = reader.GetString(3),
                OrganizerDisplayName = reader.IsDBNull(4) ? null : reader.GetString(4),
                Attendees = StoreJson.DeserializeAttendees(reader.GetString(5)),
                IsCancelled = Long(reader, 6) != 0,
                IsRecurring = Long(reader, 7) != 0,
                OwnerResponse = (AttendeeResponse)Long(reader, 8),
            });
        return result;
    }

    /// <summary>Integer columns come back as Int64 from SQLite and as their declared width from PostgreSQL.</summary>
    internal static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    // ---- profiles ----

    /// <summary>Replaces the stored profiles of the given contacts (and only those) in one transaction.</summary>
    public async Task SaveProfilesAsync(string mailboxId, IEnumerable<ContactProfile> profiles, bool replaceAll = false, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (replaceAll)
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM contact_profiles WHERE mailbox_id = @mailboxId", new { mailboxId }, tx, cancellationToken: ct));
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO contact_profiles (mailbox_id, address, display_name, stage, nurture, flags, strength, profile, computed_at)
            VALUES (@m, @a, @n, @s, @nu, @f, @st, @p, @c)
            ON CONFLICT (mailbox_id, address) DO UPDATE SET display_name = excluded.display_name, stage = excluded.stage,
                nurture = excluded.nurture, flags = excluded.flags, strength = excluded.strength, profile = excluded.profile,
                computed_at = excluded.computed_at
            """;
        string[] names = ["m", "a", "n", "s", "nu", "f", "st", "p", "c"];
        var p = names.Select(n => { var x = cmd.CreateParameter(); x.ParameterName = n; cmd.Parameters.Add(x); return x; }).ToArray();
        foreach (var profile in profiles)
        {
            p[0].Value = mailboxId;
            p[1].Value = profile.Address;
            p[2].Value = (object?)profile.DisplayName ?? DBNull.Value;
            p[3].Value = (short)profile.Stage;
            p[4].Value = (short)profile.Nurture;
            p[5].Value = (int)profile.Flags;
            p[6].Value = (int)Math.Round(profile.Strength); // the column orders lists; the profile keeps the decimal
            p[7].Value = JsonSerializer.Serialize(profile, StoreJson.Options);
            p[8].Value = profile.AsOf.ToUnixTimeMilliseconds();
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task<ContactProfile?> GetProfileAsync(string mailboxId, string address, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT profile FROM contact_profiles WHERE mailbox_id = @mailboxId AND address = @address",
            new { mailboxId, address }, cancellationToken: ct));
        return json is null ? null : JsonSerializer.Deserialize<ContactProfile>(json, StoreJson.Options);
    }

    public async Task<IReadOnlyList<ContactProfile>> ListProfilesAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT profile FROM contact_profiles WHERE mailbox_id = @mailboxId ORDER BY strength DESC, address",
            new { mailboxId }, cancellationToken: ct));
        return rows.Select(j => JsonSerializer.Deserialize<ContactProfile>(j, StoreJson.Options)!).ToList();
    }

    // ---- overrides ----

    /// <summary>The user's per-address override: true = treat as automated, false = treat as a person.</summary>
    public async Task SetAutomatedOverrideAsync(string mailboxId, string address, bool? automated, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        if (automated is null)
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM contact_overrides WHERE mailbox_id = @mailboxId AND address = @address", new { mailboxId, address }, cancellationToken: ct));
        else
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO contact_overrides (mailbox_id, address, automated) VALUES (@mailboxId, @address, @value)
                ON CONFLICT (mailbox_id, address) DO UPDATE SET automated = excluded.automated
                """, new { mailboxId, address, value = (short)(automated.Value ? 1 : 0) }, cancellationToken: ct));
    }

    public async Task<IReadOnlyDictionary<string, bool>> GetAutomatedOverridesAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT address, automated FROM contact_overrides WHERE mailbox_id = @m";
        AddParameter(cmd, "m", mailboxId);
        var result = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetString(0)] = Long(reader, 1) != 0;
        return result;
    }

    /// <summary>Erases everything stored for one mailbox. Feature folders with their own tables add theirs to <see cref="MailboxTables"/>.</summary>
    public async Task DeleteMailboxDataAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        foreach (var table in MailboxTables)
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {table} WHERE mailbox_id = @mailboxId", new { mailboxId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>Every table keyed by mailbox_id, the mailbox row last.</summary>
    internal static readonly string[] MailboxTables = ["messages", "meetings", "contact_profiles", "contact_overrides", "graph_sync_state", "graph_items", "mailbox_registry", "stage_history", "mailbox_coverage", "contact_feedback", "mailboxes"];

    // ---- coverage ----

    /// <summary>Replaces the mailbox's stored coverage (what it holds month by month).</summary>
    public async Task SaveCoverageAsync(string mailboxId, MailboxCoverage coverage, DateTimeOffset computedAt, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mailbox_coverage (mailbox_id, coverage, computed_at) VALUES (@mailboxId, @json, @at)
            ON CONFLICT (mailbox_id) DO UPDATE SET coverage = excluded.coverage, computed_at = excluded.computed_at
            """, new { mailboxId, json = JsonSerializer.Serialize(coverage, StoreJson.Options), at = computedAt.ToUnixTimeMilliseconds() },
            cancellationToken: ct));
    }

    /// <summary>The coverage stored at the last recompute, or null before the first.</summary>
    public async Task<MailboxCoverage?> GetCoverageAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        var json = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT coverage FROM mailbox_coverage WHERE mailbox_id = @mailboxId", new { mailboxId }, cancellationToken: ct));
        return json is null ? null : JsonSerializer.Deserialize<MailboxCoverage>(json, StoreJson.Options);
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    private sealed class MailboxRow
    {
        public string MailboxId { get; init; } = "";
        public string OwnerAddresses { get; init; } = "[]";
        public string? DisplayName { get; init; }
        public string Source { get; init; } = "";
        public long CreatedAt { get; init; }

        public StoredMailbox ToMailbox() => new(MailboxId, JsonSerializer.Deserialize<string[]>(OwnerAddresses) ?? [],
            DisplayName, Source, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
    }

}

/// <summary>Compact JSON for the list columns, and the profile JSON shape shared with the API.</summary>
public static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new ContactFlagsJsonConverter(), new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string SerializeCounterparts(IReadOnlyList<Counterpart> list) =>
        JsonSerializer.Serialize(list.Select(c => new object?[] { c.Address, c.DisplayName, (int)c.Role }));

    public static IReadOnlyList<Counterpart> DeserializeCounterparts(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = new List<Counterpart>(doc.RootElement.GetArrayLength());
        foreach (var e in doc.RootElement.EnumerateArray())
            result.Add(new Counterpart(e[0].GetString()!, e[1].GetString(), (RecipientRole)e[2].GetInt32()));
        return result;
    }

    public static string SerializeAttendees(IReadOnlyList<Attendee> list) =>
        JsonSerializer.Serialize(list.Select(a => new object?[] { a.Address, a.DisplayName, (int)a.Kind, (int)a.Response }));

    public static IReadOnlyList<Attendee> DeserializeAttendees(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = new List<Attendee>(doc.RootElement.GetArrayLength());
        foreach (var e in doc.RootElement.EnumerateArray())
            result.Add(new Attendee(e[0].GetString()!, e[1].GetString(), (AttendeeKind)e[2].GetInt32(), (AttendeeResponse)e[3].GetInt32()));
        return result;
    }
}

/// <summary>Contact flags as a JSON array of camelCase names (["oneWayInbound", "automated"]), easier for clients than a joined string.</summary>
public sealed class ContactFlagsJsonConverter : JsonConverter<ContactFlags>
{
    public override ContactFlags Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("flags must be an array of names");
        var flags = ContactFlags.None;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var name = reader.GetString();
            if (!Enum.TryParse<ContactFlags>(name, ignoreCase: true, out var flag)) throw new JsonException($"unknown flag '{name}'");
            flags |= flag;
        }
        return flags;
    }

    public override void Write(Utf8JsonWriter writer, ContactFlags value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var flag in Enum.GetValues<ContactFlags>())
            if (flag != ContactFlags.None && value.HasFlag(flag))
                writer.WriteStringValue(JsonNamingPolicy.CamelCase.ConvertName(flag.ToString()));
        writer.WriteEndArray();
    }
}
